"""Codecs of the formats phytowatch reads and writes: bytes or text in, domain values out.

Pure: the standard library and ``domain`` only, so a use case may call them and every adapter can
share them. What a facility, a schedule or the clock allows is decided elsewhere.
"""

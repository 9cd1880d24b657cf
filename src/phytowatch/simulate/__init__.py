"""The facility simulator: kilns, cold rooms, hot-water tanks that behave like real ones.

A client of the public device protocol (HTTP or MQTT), like any device: it never touches the
database or the web app. ``models`` and ``faults`` are pure (seeded, time passed in); ``device``
buffers and sends; ``transports`` speak HTTP and MQTT; ``runner`` drives a fleet on an
accelerated clock.
"""

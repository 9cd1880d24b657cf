"""IPPC ePhyto: UN/CEFACT SPSCertificate XML (``urn:un:unece:uncefact:data:standard:
SPSCertificate:17``) written from our certificates, validated against the schema shipped in
``schemas/``, and read back from what other NPPOs send (docs/ephyto.md).

An adapter, like the web and the CLI: the only place that imports lxml. The services reach it
through ``services.ephyto.EphytoCodec``; ``bootstrap`` wires :class:`codec.LxmlEphyto`. Nothing
is loaded at import: the schemas are read (once) on the first validation.
"""

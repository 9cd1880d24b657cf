"""The port's reference receiver of the outbox (docs/outbox.md): a small HTTP server that checks
each message's signature and stores it by its key, once. Standard library only, and nothing else
of phytowatch: a port system may copy it as the receiving side of the format."""

"""The e-supervision chain's tables and stores (``services.supervision.ports``), one module per
concern; the tables share ``storage.tables.metadata``."""

"""Step 4 on SQL: the IPPC mark\x27s authorisations."""

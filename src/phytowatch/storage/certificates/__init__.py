"""Step 4 of the chain on SQL: certificates, their revisions, states, issues, prints, the
per-office numbering and the office keys (migration 0017)."""
"""Step 4 on SQL: the IPPC mark\x27s authorisations."""

"""Step 4 of the chain on SQL: certificates, their revisions, states, issues, prints, the
per-office numbering and the office keys (migration 0017); the IPPC mark's authorisations
(migration 0019)."""

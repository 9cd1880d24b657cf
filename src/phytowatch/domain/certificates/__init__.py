"""Step 4 of the e-supervision chain: certificates (ISPM 12), their states, their signed content,
and the IPPC mark's authorisations. Standard library only."""

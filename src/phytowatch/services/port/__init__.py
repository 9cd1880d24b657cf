"""Step 6 of the chain: the port check and release (放行), and the clearance record (通关单)."""

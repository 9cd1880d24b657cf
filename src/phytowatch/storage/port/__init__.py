"""Step 6's storage: the port's draws, checks, holds and clearance records (migration 0022)."""

"""Step 5, the e-transfer, on SQL: transfers, their amendments and retrievals (migration 0021)."""

"""Step 5, the e-transfer, over JSON (``web/api/transfers/routes.py``)."""

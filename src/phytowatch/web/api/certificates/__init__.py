"""Step 4 over JSON: the certificates' lifecycle (``lifecycle``)."""

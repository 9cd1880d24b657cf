"""Steps 5 and 6 of the e-supervision chain: the e-transfer to the port office of exit, its
amendments, the port check and the release (workflow.md)."""

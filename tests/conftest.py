"""Options for the whole suite."""

from __future__ import annotations

import os

# Password hashes at scrypt's cheapest accepted cost: the suite stays fast. Production keeps the
# default (15, see docs/accounts.md); subprocesses started by tests inherit this too.
os.environ.setdefault("PHYTOWATCH_PASSWORD_HASH_COST", "10")

# --dburl and the databases a storage test runs on, wherever the test is (databases.py)
pytest_plugins = ["databases"]

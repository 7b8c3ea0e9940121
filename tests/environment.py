"""Loaded as a pytest plugin (`-p tests.environment`) before pytest-django configures Django,
so every test run gets its own directory for its database file, attachments and mail."""

import os
import tempfile

os.environ.setdefault("LOKET_VAR_DIR", tempfile.mkdtemp(prefix="loket-test-"))
# Static files are collected once per run (tests/fixtures.py) into a folder that the servers
# the tests start with their own LOKET_VAR_DIR inherit, so their pages find the manifest too.
os.environ.setdefault("LOKET_STATIC_ROOT", os.path.join(os.environ["LOKET_VAR_DIR"], "static"))

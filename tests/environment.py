"""Loaded as a pytest plugin (`-p tests.environment`) before pytest-django configures Django,
so every test run gets its own directory for its database file, attachments and mail."""

import os
import tempfile

os.environ.setdefault("LOKET_VAR_DIR", tempfile.mkdtemp(prefix="loket-test-"))

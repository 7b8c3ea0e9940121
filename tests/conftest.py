import os
import tempfile

# Every test run writes its database, attachments and mail under a fresh directory.
os.environ.setdefault("LOKET_VAR_DIR", tempfile.mkdtemp(prefix="loket-test-"))

pytest_plugins = ["tests.fixtures"]

"""The benchmark's constants: sizes, the goals of issue 8 and where the mail goes."""

SECTION = "## E-mail ingestion (issue 8)"
COMMAND = ".venv/bin/python -m bench.mail_ingest"

DEFAULT_COUNT = 1_000
QUICK_COUNT = 60
MAX_COUNT = 100_000  # a bound on what a typo can make this benchmark write
OPENERS = 50  # tickets opened before the timing, which the replies continue
SEED = 8  # the corpus is the same for every run with the same --count
CHILD_TIMEOUT = 1_800.0
RESET_TIMEOUT = 600.0

# Both desks receive at this address; the peer's queue "support" has it as its own address.
SUPPORT_ADDRESS = "support@example.com"
# Replaced in the reply tag of a subject: by a Loket reference, or by the peer's support-<id>.
PLACEHOLDER = rb"@@REPLY-(\d+)@@"

PEER_NAME = "django-helpdesk"
PEER_DIR_VARIABLE = "PEER_DIR"

# The goals of issue 8.
RATIO_GOAL = 4.0
MEMORY_GOAL_MB = 150.0
PEER_ISSUE_RATE = 132.0  # messages/s the issue reports for django-helpdesk 2.6.1

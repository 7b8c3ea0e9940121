"""gunicorn's configuration hooks for `loket web` (`--config python:loket.webserver`)."""

from typing import Any

from loket.supervise import die_with_parent


def post_fork(server: Any, worker: Any) -> None:
    """A gunicorn worker whose master was killed would keep the listening socket and answer
    on, unsupervised, and the restarted master could not bind: it goes with its master."""
    die_with_parent()

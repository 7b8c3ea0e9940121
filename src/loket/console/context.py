"""What every console page's navigation needs: the review queues this person may open, with
how many tickets wait in each (S11) - the supervisors' and operations' inbox."""

from django.http import HttpRequest

from loket.tickets.access import REVIEW_PERMISSION, may_review
from loket.tickets.queries import review_counts


def review_links(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not request.path.startswith("/console/"):
        return {}
    levels = [level for level in REVIEW_PERMISSION if may_review(user, level)]
    if not levels:
        return {}
    counts = review_counts()
    return {"review_links": [(level, counts.get(level, 0)) for level in levels]}

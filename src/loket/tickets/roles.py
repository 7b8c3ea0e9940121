"""The desk's roles (issue 10, POLICY.md S11) as Django groups holding the review permissions.
The migration `tickets.0004_roles` makes them on a new database; `ensure_roles` makes them
again wherever they may be missing (the demo, a database whose groups an admin deleted)."""

from django.contrib.auth.models import Group, Permission

ROLES: dict[str, tuple[str, ...]] = {
    "agents": (),
    "supervisors": ("review_level_1",),
    "operations": ("review_level_2",),
    "admins": ("review_level_1", "review_level_2"),
}


def ensure_roles() -> dict[str, Group]:
    groups = {}
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        tickets = Permission.objects.filter(content_type__app_label="tickets")
        group.permissions.add(*tickets.filter(codename__in=codenames))
        groups[name] = group
    return groups

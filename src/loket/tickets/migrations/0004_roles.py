"""The four roles of the desk (issue 10), as Django groups holding the review permissions:
agents work tickets; supervisors review level 1; operations review level 2; admins do both.
Managed in the admin afterwards; this only makes sure they exist."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "agents": (),
    "supervisors": ("review_level_1",),
    "operations": ("review_level_2",),
    "admins": ("review_level_1", "review_level_2"),
}


def create_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Permissions are made after migrate; the groups need them now.
    config = apps.get_app_config("tickets")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        found = Permission.objects.filter(content_type__app_label="tickets", codename__in=codenames)
        group.permissions.add(*found)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_refunds_escalation_verification"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

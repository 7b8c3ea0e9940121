from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from loket.policy.document import PolicyError
from loket.policy.models import Category, PolicyVersion
from loket.policy.operations import apply_policy
from loket.policy.queries import active_policy
from tests.builders import build_ticket
from tests.fixtures import SHIPPED_POLICY

pytestmark = pytest.mark.django_db

SOURCE = SHIPPED_POLICY.read_text(encoding="utf-8")
LATER = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
WHATSAPP = SOURCE.replace(
    "[channels.whatsapp]", '[channels.whatsapp]\nnumber = "+62 812 3456 7890"'
)


def apply(source: str) -> PolicyVersion:
    return apply_policy(source=source, filename="edited.toml", applied_by="ops", now=LATER).version


def test_applying_a_changed_file_makes_a_new_version_with_a_readable_diff() -> None:
    first = active_policy().version
    applied = apply_policy(source=WHATSAPP, filename="edited.toml", applied_by="ops", now=LATER)
    assert applied.changed
    assert applied.version.number == first.number + 1
    assert applied.diff == ["+ channels.whatsapp.number: (not set) -> +62 812 3456 7890"]
    assert active_policy().document.channels.whatsapp_number == "+62 812 3456 7890"
    assert PolicyVersion.objects.count() == 2, "every version is kept"


def test_applying_the_active_file_again_changes_nothing() -> None:
    applied = apply_policy(source=SOURCE, filename="same.toml", applied_by="ops", now=LATER)
    assert not applied.changed
    assert PolicyVersion.objects.count() == 1


def test_an_invalid_file_is_refused_and_the_active_version_stays() -> None:
    before = active_policy().version
    with pytest.raises(PolicyError):
        apply(SOURCE.replace("window_days = 14", "window_days = 0"))
    assert active_policy().version == before
    assert PolicyVersion.objects.count() == 1


def test_tickets_keep_the_version_that_set_their_targets() -> None:
    old_ticket = build_ticket()
    version = apply(
        SOURCE.replace("resolution_deadline_days = 2", "resolution_deadline_days = 3", 1)
    )
    new_ticket = build_ticket()
    assert old_ticket.policy_version is not None
    assert old_ticket.policy_version.number == 1
    assert new_ticket.policy_version == version
    assert "categories[access].resolution_deadline_days: 2 -> 3" in version.diff


def test_a_category_dropped_by_a_new_version_is_deactivated_not_deleted() -> None:
    start = SOURCE.index('[[categories]]\ncode = "seller_order"')
    end = SOURCE.index("[[escalation]]")
    apply(SOURCE[:start] + SOURCE[end:])
    seller_order = Category.objects.get(code="seller_order")
    assert not seller_order.active


def test_loket_policy_check_lists_problems_with_file_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.toml"
    broken.write_text(SOURCE.replace("warning_at = 0.75", "warning_at = 75"), encoding="utf-8")
    line = next(n for n, text in enumerate(SOURCE.splitlines(), 1) if "warning_at" in text)
    with pytest.raises(CommandError) as caught:
        call_command("policy", "check", str(broken))
    message = str(caught.value)
    assert "the active policy is unchanged" in message
    assert f"{broken}:{line}: sla.warning_at: must be a share between 0 and 1" in message


def test_loket_policy_apply_prints_the_diff_and_show_prints_the_active_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    edited = tmp_path / "catalo-id.toml"
    edited.write_text(WHATSAPP, encoding="utf-8")
    output = StringIO()
    call_command("policy", "apply", str(edited), stdout=output)
    assert "as policy v2" in output.getvalue()
    assert "+ channels.whatsapp.number: (not set) -> +62 812 3456 7890" in output.getvalue()
    shown = StringIO()
    call_command("policy", "show", stdout=shown)
    assert shown.getvalue().startswith("# policy v2")
    assert 'number = "+62 812 3456 7890"' in shown.getvalue()
    checked = StringIO()
    call_command("policy", "check", str(edited), stdout=checked)
    assert "valid - 7 categories" in checked.getvalue()

import re
from pathlib import Path

import pytest

from loket.policy.document import PolicyError, load_policy, parse_policy_source
from loket.policy.locate import key_lines

SHIPPED = Path(__file__).resolve().parents[2] / "policies" / "catalo-id.toml"
SOURCE = SHIPPED.read_text(encoding="utf-8")


def refusal(source: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy_source(source, filename="edited.toml")
    return caught.value.lines


def line_number(text: str, source: str = SOURCE) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def test_the_shipped_policy_carries_the_defaults_of_policy_md() -> None:
    document = load_policy(SHIPPED)
    assert [category.code for category in document.categories] == [
        "support", "complaint", "billing_dispute", "refund", "access", "account_security",
        "seller_order",
    ]  # fmt: skip
    access = document.category("access")
    billing = document.category("billing_dispute")
    assert access is not None
    assert billing is not None
    assert (access.resolution_target_days, access.resolution_deadline_days) == (1, 2)
    assert (billing.resolution_target_days, billing.resolution_deadline_days) == (3, 5)
    assert all(category.first_response_days == 1 for category in document.categories)
    assert document.sla.business_day_hours == 9
    assert document.sla.warning_at == 0.75
    assert (document.sla.complex_extension_days, document.sla.progress_update_days) == (5, 2)
    assert document.hours.time_zone == "Asia/Jakarta"
    assert [len(document.hours.weekly[day]) for day in range(7)] == [1, 1, 1, 1, 1, 0, 0]
    assert document.channels.email_address == "support@catalo.id"
    assert document.channels.whatsapp_number is None
    assert document.channels.phone_number is None
    assert document.refunds.window_days == 14
    assert [level.code for level in document.escalation] == ["supervisor", "operations"]
    assert document.category("seller_order").buyer_matter  # type: ignore[union-attr]


def test_every_text_exists_in_japanese_indonesian_and_english() -> None:
    document = load_policy(SHIPPED)
    for texts in document.page_texts.values():
        assert all(texts[language] for language in ("ja", "id", "en"))
    for lists in document.page_lists.values():
        assert len(lists["ja"]) == len(lists["id"]) == len(lists["en"]) > 0


def test_a_missing_translation_is_refused_with_its_line() -> None:
    line = line_number('code = "refund"')
    edited = SOURCE.replace(
        'code = "refund"', 'code = "refund"\nname = { ja = "返金", en = "Refund" }', 1
    )
    # the category already has a name; the duplicate key makes the TOML itself invalid
    [problem] = refusal(edited)
    # tomllib stops at the second `name`: the category's own, now two lines further down
    assert problem.startswith(f"edited.toml:{line + 3}: (file): not valid TOML")


def test_several_problems_are_reported_together_each_with_its_line() -> None:
    edited = SOURCE.replace("warning_at = 0.75", "warning_at = 1.5").replace(
        "resolution_deadline_days = 2", "resolution_deadline_days = 0.5", 1
    )
    lines = refusal(edited)
    warning_line = line_number("warning_at")
    assert any(f"edited.toml:{warning_line}: sla.warning_at: must be a share" in x for x in lines)
    deadline_line = line_number("resolution_deadline_days = 0.5", edited)
    assert any(
        line.startswith(f"edited.toml:{deadline_line}: categories.4.resolution_deadline_days")
        for line in lines
    ), lines


def test_a_policy_without_any_business_hours_is_refused() -> None:
    edited = re.sub(r"^(monday|tuesday|wednesday|thursday|friday)\s*=.*$", "", SOURCE, flags=re.M)
    [line] = refusal(edited)
    assert "no business hours at all" in line
    assert line.startswith(f"edited.toml:{line_number('[hours]', edited)}: hours:")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('time_zone = "Asia/Jakarta"', 'time_zone = "Asia/Jakarta_City"', "not a known time zone"),
        ('monday    = [["09:00", "18:00"]]', 'monday = [["18:00", "09:00"]]', "ends before it"),
        ('monday    = [["09:00", "18:00"]]', 'monday = [["9am", "6pm"]]', "24-hour HH:MM"),
        ("schema = 1", "schema = 2", "must be 1"),
        ('priority = "high"', 'priority = "critical"', "must be one of"),
        (
            '"dispute_details"]',
            '"bank_statement"]',
            "'bank_statement' is not the code of an [[evidence]] item",
        ),
        ("window_days = 14", "window_days = -7", "whole number of days"),
    ],
)
def test_invalid_values_are_refused_in_plain_words(old: str, new: str, expected: str) -> None:
    assert old in SOURCE
    lines = refusal(SOURCE.replace(old, new, 1))
    assert any(expected in line for line in lines), lines


def test_an_unconfigured_whatsapp_becomes_configured_with_a_number() -> None:
    edited = SOURCE.replace(
        "[channels.whatsapp]", '[channels.whatsapp]\nnumber = "+62 812 3456 7890"'
    )
    assert parse_policy_source(edited).channels.whatsapp_number == "+62 812 3456 7890"
    lines = refusal(
        SOURCE.replace("[channels.whatsapp]", '[channels.whatsapp]\nnumber = "call us"')
    )
    assert "is not a phone number" in lines[0]


def test_key_lines_follow_tables_arrays_of_tables_and_inline_tables() -> None:
    source = (
        "[sla]\nwarning_at = 0.75\n\n[[categories]]\n"
        'code = "a"\nname = { ja = "x", en = "y" }\n\n[[categories]]\ncode = "b"\n'
    )
    lines = key_lines(source)
    assert lines[("sla", "warning_at")] == 2
    assert lines[("categories", 0, "name", "en")] == 6
    assert lines[("categories", 1, "code")] == 9


def test_a_misspelt_key_is_refused_with_its_line_and_the_key_meant() -> None:
    source = SHIPPED.read_text(encoding="utf-8").replace(
        "first_response_days = 1", "first_responze_days = 1", 1
    )
    with pytest.raises(PolicyError) as refused:
        parse_policy_source(source, filename="catalo-id.toml")
    [line] = refused.value.lines
    number = source.splitlines().index("first_responze_days = 1") + 1
    assert line == (
        f"catalo-id.toml:{number}: sla.first_responze_days: unknown key "
        "'first_responze_days'; did you mean 'first_response_days'?"
    )


def test_unknown_keys_are_refused_at_every_level() -> None:
    source = SHIPPED.read_text(encoding="utf-8")
    source = "colour = 'blue'\n" + source  # top level
    source = source.replace("[sla]", "[sla]\nbreach_actions = 'notify'", 1)  # in a table
    source = source.replace('code = "support"', 'code = "support"\nprioritty = "high"', 1)
    with pytest.raises(PolicyError) as refused:
        parse_policy_source(source)
    wheres = {problem.where() for problem in refused.value.problems}
    assert wheres == {"colour", "sla.breach_actions", "categories.0.prioritty"}

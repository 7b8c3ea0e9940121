from pathlib import Path

import pytest

from loket.policy.document import PolicyError, load_policy, parse_policy

SHIPPED = Path(__file__).resolve().parents[2] / "policies" / "catalo-id.toml"


def test_the_shipped_policy_has_the_seven_categories_of_s1_named_in_three_languages() -> None:
    document = load_policy(SHIPPED)
    assert [category.code for category in document.categories] == [
        "support",
        "complaint",
        "billing_dispute",
        "refund",
        "access",
        "account_security",
        "seller_order",
    ]
    for category in document.categories:
        assert set(category.names) == {"ja", "id", "en"}
        assert all(name.strip() for name in category.names.values())
    security = next(c for c in document.categories if c.code == "account_security")
    assert security.priority == "high"


def test_a_category_without_an_indonesian_name_is_refused_with_the_reason() -> None:
    data: dict[str, object] = {
        "organisation": {"name": "X"},
        "categories": [{"code": "support", "name": {"ja": "質問", "en": "Question"}}],
    }
    with pytest.raises(PolicyError, match=r"categories\[0\] \(support\): name is missing in id"):
        parse_policy(data)


def test_repeated_category_codes_are_refused() -> None:
    category = {"code": "support", "name": {"ja": "a", "id": "b", "en": "c"}}
    with pytest.raises(PolicyError, match="repeated: support"):
        parse_policy({"organisation": {}, "categories": [category, category]})


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[organisation\nname = 1")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(broken)

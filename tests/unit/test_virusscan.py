"""clamd's answers read as verdicts: only "OK" lets a file out of quarantine, and anything Loket
cannot read holds it (ScannerUnavailable) rather than letting it through."""

import pytest

from loket.tickets.virusscan import ScannerUnavailable, Verdict, connect, verdict

ADDRESS = "/run/clamav/clamd.ctl"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("stream: OK", Verdict("clean")),
        ("stream: Eicar-Test-Signature FOUND", Verdict("infected", "Eicar-Test-Signature")),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", Verdict("infected", "Win.Test.EICAR_HDB-1")),
        (
            "INSTREAM size limit exceeded. ERROR",
            Verdict("failed", "larger than clamd accepts (its StreamMaxLength)"),
        ),
    ],
)
def test_clamd_answers_become_verdicts(answer: str, expected: Verdict) -> None:
    assert verdict(answer, ADDRESS) == expected


@pytest.mark.parametrize(
    "answer",
    ["", "stream: Can't allocate memory ERROR", "UNKNOWN COMMAND", "stream: OKAY", "OK"],
)
def test_any_other_answer_holds_the_file(answer: str) -> None:
    with pytest.raises(ScannerUnavailable):
        verdict(answer, ADDRESS)


def test_an_address_that_is_neither_a_path_nor_host_and_port_is_refused() -> None:
    with pytest.raises(ValueError, match="not a clamd address"):
        connect("clamd.internal", 1.0)

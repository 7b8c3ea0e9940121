"""A refund proposal for the agent (POLICY.md S12): the reason the policy accepts, if the
text names one, and whether the charge falls within the refund window. The agent decides; the
proposal only gathers what the policy asks. Pure: no Django."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from loket.policy.document import PolicyDocument

REASON_SIGNALS = (
    ("duplicate_charge", r"charged twice|double[- ]?charged?|duplicate|(?:two|2|3) charges|二重"
     r"|(?:2|二|3|三)回(?:引かれ|請求|課金)|ditagih (?:dua|2) ?(?:kali|x)|tagihan (?:ganda|dobel)"),
    ("unauthorised_transaction", r"unauthori[sz]ed|not me|didn'?t (?:make|authori[sz]e)"
     r"|tanpa (?:izin|sepengetahuan)|tidak (?:pernah )?(?:saya )?(?:lakukan|otorisasi)"
     r"|身に覚えのない"),
    ("service_not_delivered", r"not (?:yet )?activ|never (?:got|received) (?:access|the service)"
     r"|belum aktif|tidak aktif|有効化されない|有効化されていない|使えない"),
    ("billing_error", r"wrong amount|overcharged|charged (?:more|too much)|trial|discount|promo"
     r"|tagihan salah|salah tagih|kelebihan|diskon|金額が(?:違|間違)|無料期間|割引|キャンペーン"),
)  # fmt: skip
COMPILED = tuple((code, re.compile(pattern, re.IGNORECASE)) for code, pattern in REASON_SIGNALS)


@dataclass(frozen=True)
class RefundProposal:
    reason_code: str | None
    reason_name: str
    charge_date: date | None
    last_day: date | None  # of the refund window
    within_window: bool | None
    original_payment_method: bool
    # From the invoice on file, when billing verified one (its date beats the requester's).
    invoice_number: str = ""
    amount: str = ""
    currency: str = ""
    payment_method: str = ""

    @property
    def eligible(self) -> bool | None:
        """True or False when the policy decides it; None while the reason or date is unknown."""
        if self.reason_code is None or self.within_window is None:
            return None
        return self.within_window


def propose_refund(
    document: PolicyDocument,
    text: str,
    evidence: Mapping[str, object],
    *,
    language: str,
    received: date,
    invoice: Mapping[str, object] | None = None,
) -> RefundProposal:
    """`invoice`: the record billing has on file for the invoice the requester named."""
    refunds = document.refunds
    known = {reason.code: reason for reason in refunds.reasons}
    code = next((c for c, pattern in COMPILED if c in known and pattern.search(text)), None)
    name = known[code].name.get(language, code) if code else ""
    charged = charge_date(invoice.get("charged_on") if invoice else None) or charge_date(
        evidence.get("date")
    )
    last_day = charged + timedelta(days=refunds.window_days) if charged else None
    within = (received <= last_day) if last_day else None
    on_file = {
        key: str(invoice.get(source) or "")
        for key, source in (("invoice_number", "number"), ("amount", "amount"),
                            ("currency", "currency"), ("payment_method", "payment_method"))
    } if invoice else {}  # fmt: skip
    return RefundProposal(
        code, name, charged, last_day, within, refunds.original_payment_method, **on_file
    )


def charge_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None

"""What the billing directory answers, as plain values: the same whether it came from Loket's
own tables or from Catalo.id's billing API, and small enough to keep in a timeline event.
Pure: no Django."""

from dataclasses import asdict, dataclass
from datetime import date


@dataclass(frozen=True)
class AccountRecord:
    account_id: str
    email: str
    plan: str
    status: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class InvoiceRecord:
    number: str
    account_id: str
    account_email: str
    amount: str  # decimal text, exact
    currency: str
    charged_on: date
    plan: str
    payment_method: str
    status: str

    def to_json(self) -> dict[str, str]:
        return asdict(self) | {"charged_on": self.charged_on.isoformat()}


def account_from_json(data: object) -> AccountRecord:
    """Raises ValueError (KeyError, TypeError included) when `data` is not an account."""
    if not isinstance(data, dict):
        raise ValueError("an account is a JSON object")
    return AccountRecord(*(str(data[key]) for key in ("account_id", "email", "plan", "status")))


def invoice_from_json(data: object) -> InvoiceRecord:
    if not isinstance(data, dict):
        raise ValueError("an invoice is a JSON object")
    text = {key: str(data.get(key) or "") for key in ("plan", "payment_method", "status")}
    return InvoiceRecord(
        number=str(data["number"]), account_id=str(data["account_id"]),
        account_email=str(data["account_email"]), amount=str(data["amount"]),
        currency=str(data["currency"]), charged_on=date.fromisoformat(str(data["charged_on"])),
        **text,
    )  # fmt: skip

"""The billing directory behind one small interface: Loket's own tables (imported from CSV), or
Catalo.id's billing API over HTTP when LOKET_BILLING_URL is set (docs/directory.md).

When the API is down or slow, lookups raise `BillingUnavailable` quickly instead of holding up
intake: after a failure the adapter does not try again for LOKET_BILLING_RETRY_SECONDS, and the
evidence checklist shows the items as "not checked" (degraded mode). Nothing is ever lost or
refused because billing did not answer.
"""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings

from loket.directory.models import Account, Invoice
from loket.directory.records import (
    AccountRecord,
    InvoiceRecord,
    account_from_json,
    invoice_from_json,
)

# A hostile message could name hundreds of addresses or invoices; a few decide.
MAX_LOOKUPS = 3


class BillingUnavailable(Exception):
    """The billing directory did not answer usefully; the reason is the message."""


class BillingDirectory(Protocol):
    source: str

    def account_by_email(self, email: str) -> AccountRecord | None: ...

    def invoice(self, number: str) -> InvoiceRecord | None: ...


class TableBilling:
    """Loket's own copy (`loket directory import accounts|invoices FILE.csv`)."""

    source = "tables"

    def account_by_email(self, email: str) -> AccountRecord | None:
        account = Account.objects.filter(email__iexact=email.strip()).first()
        if account is None:
            return None
        return AccountRecord(account.account_id, account.email, account.plan, account.status)

    def invoice(self, number: str) -> InvoiceRecord | None:
        invoice = (
            Invoice.objects.select_related("account").filter(number__iexact=number.strip()).first()
        )
        if invoice is None:
            return None
        return InvoiceRecord(
            number=invoice.number, account_id=invoice.account.account_id,
            account_email=invoice.account.email, amount=str(invoice.amount),
            currency=invoice.currency, charged_on=invoice.charged_on, plan=invoice.plan,
            payment_method=invoice.payment_method, status=invoice.status,
        )  # fmt: skip


class HttpBilling:
    """Catalo.id's billing API: `GET {base}/accounts?email=...` and `GET {base}/invoices/{n}`,
    each answering 200 with the record as JSON or 404; a bearer token when configured."""

    source = "http"
    _lock = threading.Lock()
    _down_until = 0.0  # monotonic; shared by every adapter of the process
    _down_reason = ""

    def __init__(self, base_url: str, *, token: str = "", timeout: float = 2.0,
                 retry_after: float = 30.0) -> None:  # fmt: skip
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"LOKET_BILLING_URL must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retry_after = retry_after

    def account_by_email(self, email: str) -> AccountRecord | None:
        data = self.get("/accounts?" + urllib.parse.urlencode({"email": email.strip()}))
        return None if data is None else self.parsed(account_from_json, data)

    def invoice(self, number: str) -> InvoiceRecord | None:
        data = self.get("/invoices/" + urllib.parse.quote(number.strip(), safe=""))
        return None if data is None else self.parsed(invoice_from_json, data)

    def parsed[T](self, parse: "Parser[T]", data: object) -> T:
        try:
            return parse(data)
        except (ValueError, KeyError, TypeError) as error:
            raise self.failed(f"billing API answered an unexpected record: {error}") from None

    def get(self, path: str) -> object | None:
        with HttpBilling._lock:
            if time.monotonic() < HttpBilling._down_until:
                raise BillingUnavailable(HttpBilling._down_reason)
        url = self.base_url + path  # http(s) only: checked in __init__
        request = urllib.request.Request(url, headers=self.headers())  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(1_000_000)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise self.failed(f"billing API answered HTTP {error.code}") from None
        except (OSError, TimeoutError) as error:  # URLError, refused, reset, timed out
            raise self.failed(f"billing API unreachable: {error}") from None
        try:
            data: object = json.loads(body)
        except ValueError:
            raise self.failed("billing API answered something that is not JSON") from None
        return data

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "Loket"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def failed(self, reason: str) -> BillingUnavailable:
        with HttpBilling._lock:
            HttpBilling._down_until = time.monotonic() + self.retry_after
            HttpBilling._down_reason = reason
        return BillingUnavailable(reason)

    @classmethod
    def reset(cls) -> None:
        """Forget a past failure (tests; an operator's "check again")."""
        with cls._lock:
            cls._down_until, cls._down_reason = 0.0, ""


class Parser[T](Protocol):
    def __call__(self, data: object, /) -> T: ...


def billing_directory() -> BillingDirectory:
    url = settings.LOKET_BILLING_URL
    if not url:
        return TableBilling()
    return HttpBilling(
        url, token=settings.LOKET_BILLING_TOKEN, timeout=settings.LOKET_BILLING_TIMEOUT,
        retry_after=settings.LOKET_BILLING_RETRY_SECONDS,
    )  # fmt: skip


def billing_facts(
    emails: Iterable[str], invoices: Iterable[str], directory: BillingDirectory | None = None
) -> dict[str, object]:
    """What billing knows of these addresses and invoice numbers, as JSON for the timeline:
    `accounts` and `invoices` map each asked key to its record or None (not on file);
    `available` is False, with the `error`, when billing could not be asked."""
    directory = directory or billing_directory()
    accounts: dict[str, object] = {}
    found: dict[str, object] = {}
    try:
        for email in unique(emails):
            account = directory.account_by_email(email)
            accounts[email.lower()] = account.to_json() if account else None
        for number in unique(invoices):
            invoice = directory.invoice(number)
            found[number] = invoice.to_json() if invoice else None
    except BillingUnavailable as down:
        return {"available": False, "source": directory.source, "error": str(down)}
    return {"available": True, "source": directory.source, "accounts": accounts,
            "invoices": found}  # fmt: skip


def unique(values: Iterable[str]) -> list[str]:
    kept = dict.fromkeys(value.strip() for value in values if value and value.strip())
    return list(kept)[:MAX_LOOKUPS]

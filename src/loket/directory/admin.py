from django.contrib import admin

from loket.directory.models import Account, Invoice, Refund, Storefront


@admin.register(Storefront)
class StorefrontAdmin(admin.ModelAdmin[Storefront]):
    list_display = ["slug", "seller_name", "contact_email", "contact_whatsapp", "active"]
    search_fields = ["slug", "domain", "seller_name", "contact_email"]
    list_filter = ["active"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ["account_id", "email", "name", "plan", "status"]
    search_fields = ["account_id", "email", "name"]
    list_filter = ["status", "plan"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin[Invoice]):
    list_display = ["number", "account", "amount", "currency", "charged_on", "payment_method",
                    "status"]  # fmt: skip
    search_fields = ["number", "account__email", "account__account_id"]
    list_filter = ["status", "currency"]
    raw_id_fields = ["account"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin[Refund]):
    list_display = ["reference", "invoice", "amount", "refunded_on", "status"]
    search_fields = ["reference", "invoice__number"]
    raw_id_fields = ["invoice"]

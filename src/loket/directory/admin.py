from django.contrib import admin

from loket.directory.models import Storefront


@admin.register(Storefront)
class StorefrontAdmin(admin.ModelAdmin[Storefront]):
    list_display = ["slug", "seller_name", "contact_email", "contact_whatsapp", "active"]
    search_fields = ["slug", "domain", "seller_name", "contact_email"]
    list_filter = ["active"]

from django.contrib import admin

from loket.policy.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "name_en", "name_id", "name_ja", "priority", "active"]
    list_filter = ["active"]

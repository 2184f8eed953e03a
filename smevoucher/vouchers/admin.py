from django.contrib import admin

from smevoucher.core.admin import ReadOnlyAdmin

from .models import Batch, Claim, LedgerAccount, LedgerTransaction, QuotaSetting


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["name", "city", "total_fen", "claim_start", "claim_end", "validity_end", "status"]
    list_filter = ["status", "city"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["batch", "enterprise", "amount_fen", "allocated_fen", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["batch", "enterprise__organisation"]


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["batch", "kind", "enterprise", "provider", "order_id", "balance_fen"]
    list_filter = ["kind"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "batch", "kind", "actor", "object_type", "object_id", "created_at"]
    list_filter = ["kind"]


@admin.register(QuotaSetting)
class QuotaSettingAdmin(ReadOnlyAdmin):
    list_display = ["city", "year", "annual_quota_fen", "reclaim_gives_back_quota"]

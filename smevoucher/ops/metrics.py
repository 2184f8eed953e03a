"""Business counters for Prometheus, computed when /metrics is scraped: claims by status, orders by status, ledger
transactions by kind, audit events waiting for the sealer, and the Celery queue's length. They are read from the
replica when there is one and cached briefly, so several scrapers cost one set of queries."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from smevoucher.core.models import AuditEvent
from smevoucher.core.replica import read_replica
from smevoucher.orders.models import Order
from smevoucher.vouchers.models import Claim, LedgerTransaction

CACHE_KEY = "ops:business-metrics"
CACHE_SECONDS = 15


def _by(model, field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in model.objects.order_by().values(field).annotate(n=Count("pk"))}


def business_figures() -> dict:
    figures = cache.get(CACHE_KEY)
    if figures is None:
        with read_replica():
            figures = {
                "claims": _by(Claim, "status"),
                "orders": _by(Order, "status"),
                "ledger": _by(LedgerTransaction, "kind"),
                "unsealed": AuditEvent.objects.filter(seal_seq__isnull=True).count(),
            }
        figures["queue"] = celery_queue_length()
        cache.set(CACHE_KEY, figures, CACHE_SECONDS)
    return figures


def celery_queue_length() -> int | None:
    """Tasks waiting in the default queue (None without a broker: tasks then run in-process)."""
    if not settings.REDIS_URL:
        return None
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    try:
        return int(client.llen("celery"))
    except redis.RedisError:
        return None
    finally:
        client.close()


class BusinessCollector:
    def collect(self):
        figures = business_figures()
        for name, label, key, help_text in (
            ("smev_claims", "status", "claims", "Voucher claims by status"),
            ("smev_orders", "status", "orders", "Orders by status"),
            ("smev_ledger_transactions", "kind", "ledger", "Ledger transactions by kind"),
        ):
            family = GaugeMetricFamily(name, help_text, labels=[label])
            for value, count in sorted(figures[key].items()):
                family.add_metric([value], count)
            yield family
        yield GaugeMetricFamily(
            "smev_audit_unsealed_events", "Audit events not yet chained by the sealer", value=figures["unsealed"]
        )
        if figures["queue"] is not None:
            yield GaugeMetricFamily("smev_celery_queue_length", "Tasks waiting for a worker", value=figures["queue"])

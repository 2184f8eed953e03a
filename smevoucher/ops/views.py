import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from health_check.views import HealthCheckView
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from . import checks
from .metrics import BusinessCollector

_business = CollectorRegistry(auto_describe=False)
_business.register(BusinessCollector())


class ReadinessView(HealthCheckView):
    """/readyz: the primary, migrations, cache, object storage, and (when configured) replica lag and Redis."""

    def get_checks(self):
        self.checks = checks.readiness_checks()
        return super().get_checks()


healthz = HealthCheckView.as_view(checks=[checks.Alive])
readyz = ReadinessView.as_view()


def metrics_allowed(request) -> bool:
    """Prometheus scrapes each app server directly from a configured address; anything that came through the
    public proxy (which adds X-Forwarded-For) is refused whatever its address."""
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_ADDRESSES)


@require_GET
def metrics(request):
    if not metrics_allowed(request):
        raise Http404
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # gunicorn workers: one figure for the whole app server
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry) + generate_latest(_business), content_type=CONTENT_TYPE_LATEST)

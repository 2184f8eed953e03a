from django.db.models import Q, QuerySet

from smevoucher.core import clock

from .models import Notice


def public_notices() -> QuerySet[Notice]:
    """Published and not expired: what the public notice board shows."""
    now = clock.now()
    return (
        Notice.objects.filter(published_at__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("city", "publisher")
    )

"""Demo risk flags (issue 17): the full scan over the demo orders. ent_gz2 shares its legal representative with the
Yuexiu station (related parties); its demo orders were completed on the day they were placed (implausible
timing) and several of the same training within days (split orders)."""

from smevoucher.integrity import services
from smevoucher.integrity.models import RiskFlag


def seed_integrity() -> list[tuple[str, str, str]]:
    services.scan()
    kinds = sorted(set(RiskFlag.objects.values_list("kind", flat=True)))
    if not kinds:
        return []
    return [("city unit (Guangzhou)", "/integrity/", f"risk flags to decide: {', '.join(kinds)}")]

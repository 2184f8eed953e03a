from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from smevoucher.core.trigram import trigram_index


def copy_names(apps, schema_editor):
    """Every order gets its parties' current names: one UPDATE with a subquery per column."""
    Order = apps.get_model("orders", "Order")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    Provider = apps.get_model("providers", "Provider")
    Order.objects.update(
        enterprise_name=Subquery(
            Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("organisation__name")[:1]
        ),
        provider_name=Subquery(Provider.objects.filter(pk=OuterRef("provider_id")).values("organisation__name")[:1]),
    )


class Migration(migrations.Migration):
    """Issue 16: an order search by enterprise or provider name reads the order's own columns (core.lists)."""

    dependencies = [
        ("orders", "0007_status_list_covering"),
        ("enterprises", "0001_initial"),
        ("providers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="enterprise_name",
            field=models.CharField(default="", max_length=200, verbose_name="enterprise name"),
        ),
        migrations.AddField(
            model_name="order",
            name="provider_name",
            field=models.CharField(default="", max_length=200, verbose_name="service provider name"),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop),
        trigram_index("orders_order", "enterprise_name", "order_enterprise_name_trgm"),
        trigram_index("orders_order", "provider_name", "order_provider_name_trgm"),
    ]

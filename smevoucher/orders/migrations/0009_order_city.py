import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_cities(apps, schema_editor):
    """Every order gets its batch's city: one UPDATE."""
    Order = apps.get_model("orders", "Order")
    Batch = apps.get_model("vouchers", "Batch")
    Order.objects.update(city_id=Subquery(Batch.objects.filter(pk=OuterRef("batch_id")).values("city_id")[:1]))


class Migration(migrations.Migration):
    """Issue 16: a city unit's order lists filter and sort on the order's own columns."""

    dependencies = [
        ("accounts", "0004_organisation_name_trigram"),
        ("orders", "0008_party_names"),
        ("vouchers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="city",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.city",
                verbose_name="city",
            ),
        ),
        migrations.RunPython(copy_cities, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="order",
            name="city",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.city", verbose_name="city"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["city", "-placed_at", "-id"], name="order_city_list"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["city", "status", "-placed_at", "-id"], name="order_city_status_list"),
        ),
    ]

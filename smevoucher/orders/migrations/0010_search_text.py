from django.db import migrations, models
from django.db.models.functions import Concat, Upper

from smevoucher.core.trigram import trigram_index, without


class Migration(migrations.Migration):
    """Issue 16: the order list's search reads one upper-cased column with one trigram index, in place of the three
    names' indexes. Adding a stored generated column rewrites the orders table (minutes at 1M orders)."""

    dependencies = [("orders", "0009_order_city")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=Upper(
                    Concat(
                        "product_name", models.Value("\n"), "enterprise_name", models.Value("\n"), "provider_name"
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        trigram_index("orders_order", "search_text", "order_search_text_trgm", upper=False),
        without(trigram_index("orders_order", "product_name", "order_product_name_trgm")),
        without(trigram_index("orders_order", "enterprise_name", "order_enterprise_name_trgm")),
        without(trigram_index("orders_order", "provider_name", "order_provider_name_trgm")),
    ]

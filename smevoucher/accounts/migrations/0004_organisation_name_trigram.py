from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from smevoucher.core.trigram import trigram_index


class Migration(migrations.Migration):
    """Issue 16: the lists' searches by enterprise or provider name (core.lists) look organisations up by name."""

    dependencies = [
        ("accounts", "0003_api_token"),
    ]

    operations = [
        TrigramExtension(),
        trigram_index("accounts_organisation", "name", "organisation_name_trgm"),
    ]

"""Trigram indexes for the lists' searches (issue 16). Django's `icontains` is `UPPER(column) LIKE UPPER('%text%')`
on PostgreSQL, which a GIN index over the trigrams of UPPER(column) answers without reading the table. PostgreSQL
only: elsewhere (SQLite in development) the operation does nothing and the search reads the table as before."""

from django.db import migrations


def trigram_index(table: str, column: str, name: str) -> migrations.RunPython:
    """A migration operation adding the index (after `TrigramExtension()` in the same migration)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
                f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(forwards, backwards)

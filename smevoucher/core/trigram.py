"""Trigram indexes for the lists' searches (issue 16). Django's `icontains` is `UPPER(column) LIKE UPPER('%text%')`
on PostgreSQL, which a GIN index over the trigrams of UPPER(column) answers without reading the table. A column that
is stored upper-cased already (a generated UPPER(…) column, see core.lists) is indexed as it is. PostgreSQL only:
elsewhere (SQLite in development) the operation does nothing and the search reads the table as before."""

from django.db import migrations


def trigram_index(table: str, column: str, name: str, *, upper: bool = True) -> migrations.RunPython:
    """A migration operation adding the index (after `TrigramExtension()` in the same migration)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            indexed = f"(UPPER({quote(column)}::text))" if upper else quote(column)
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} USING gin ({indexed} gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(forwards, backwards)


def without(operation: migrations.RunPython) -> migrations.RunPython:
    """The reverse of a `trigram_index(…)` operation: it drops the index, and unapplied creates it again."""
    return migrations.RunPython(operation.reverse_code, operation.code)

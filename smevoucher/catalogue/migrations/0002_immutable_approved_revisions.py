"""Database guard: an approved revision, and the tiers, regions, comparables, material sets and evidence of an
approved revision, are never changed (orders keep the revision, tier and price they were placed on). The services
never try; these triggers make a stray queryset.update() or manual SQL fail as well.

Note for SQLite: a later migration that remakes one of these tables (Django's ALTER on SQLite) drops that table's
triggers; `test_database_refuses_to_change_an_approved_revision` fails then, and the triggers must be created again."""

from django.db import migrations

CHILDREN = ["catalogue_producttier", "catalogue_revisionregion", "catalogue_comparable", "catalogue_materialset"]
MESSAGE = "approved product revisions are immutable"

# SQLite: a trigger may only name its own table, or Django's table remake (ALTER on SQLite) of the other table fails
# ("error in trigger …: no such table"). So: an approved revision row is never updated, and tier, region and comparable
# rows are never updated at all (the services replace a draft's rows, never update them). Inserts under an approved
# revision and the material sets and evidence are guarded on PostgreSQL, the production database.
NEVER_UPDATED = ["catalogue_producttier", "catalogue_revisionregion", "catalogue_comparable"]
SQLITE = [
    f"""CREATE TRIGGER catalogue_revision_immutable BEFORE UPDATE ON catalogue_productrevision
        WHEN OLD.state = 'approved' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    *[
        f"""CREATE TRIGGER {table}_never_updated BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
        for table in NEVER_UPDATED
    ],
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS catalogue_revision_immutable;",
    *[f"DROP TRIGGER IF EXISTS {t}_never_updated;" for t in NEVER_UPDATED],
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION catalogue_revision_immutable() RETURNS trigger AS $$
        BEGIN
          IF OLD.state = 'approved' THEN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER catalogue_revision_immutable BEFORE UPDATE ON catalogue_productrevision
        FOR EACH ROW EXECUTE FUNCTION catalogue_revision_immutable();""",
    f"""CREATE OR REPLACE FUNCTION catalogue_revision_child_immutable() RETURNS trigger AS $$
        DECLARE rev_id bigint;
        BEGIN
          IF TG_OP = 'INSERT' THEN rev_id := NEW.revision_id; ELSE rev_id := OLD.revision_id; END IF;
          IF EXISTS (SELECT 1 FROM catalogue_productrevision WHERE id = rev_id AND state = 'approved') THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;""",
    *[
        f"""CREATE TRIGGER {table}_immutable BEFORE INSERT OR UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION catalogue_revision_child_immutable();"""
        for table in CHILDREN
    ],
]
POSTGRES += [
    f"""CREATE OR REPLACE FUNCTION catalogue_evidence_immutable() RETURNS trigger AS $$
        DECLARE set_id bigint;
        BEGIN
          IF TG_OP = 'INSERT' THEN set_id := NEW.material_set_id; ELSE set_id := OLD.material_set_id; END IF;
          IF EXISTS (SELECT 1 FROM catalogue_materialset s JOIN catalogue_productrevision r ON s.revision_id = r.id
                     WHERE s.id = set_id AND r.state = 'approved') THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER catalogue_evidence_immutable BEFORE INSERT OR UPDATE ON catalogue_evidence
        FOR EACH ROW EXECUTE FUNCTION catalogue_evidence_immutable();""",
]

POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS catalogue_evidence_immutable ON catalogue_evidence;",
    "DROP FUNCTION IF EXISTS catalogue_evidence_immutable();",
    *[f"DROP TRIGGER IF EXISTS {t}_immutable ON {t};" for t in CHILDREN],
    "DROP TRIGGER IF EXISTS catalogue_revision_immutable ON catalogue_productrevision;",
    "DROP FUNCTION IF EXISTS catalogue_revision_child_immutable();",
    "DROP FUNCTION IF EXISTS catalogue_revision_immutable();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

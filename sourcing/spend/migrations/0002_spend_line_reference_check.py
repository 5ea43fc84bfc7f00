"""Spend lines carry no per-row foreign keys (see spend.models._fact_fk). On PostgreSQL this trigger checks
the references of every inserted or updated batch at once: each vendor, category and import must exist in the
line's own tenant. The check runs as the caller, so row-level security hides other tenants' rows from it too."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION spend_line_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM new_lines n
        LEFT JOIN spend_vendor v ON v.id = n.vendor_id AND v.tenant_id = n.tenant_id
        LEFT JOIN spend_spendimport i ON i.id = n.spend_import_id AND i.tenant_id = n.tenant_id
        LEFT JOIN categories_category c ON c.id = n.category_id AND c.tenant_id = n.tenant_id
        WHERE v.id IS NULL OR i.id IS NULL OR (n.category_id IS NOT NULL AND c.id IS NULL)
    ) THEN
        RAISE EXCEPTION 'spend line refers to a vendor, import or category outside its tenant'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS spend_line_references_insert ON spend_spendline;
DROP TRIGGER IF EXISTS spend_line_references_update ON spend_spendline;
CREATE TRIGGER spend_line_references_insert AFTER INSERT ON spend_spendline
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION spend_line_check_references();
CREATE TRIGGER spend_line_references_update AFTER UPDATE ON spend_spendline
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION spend_line_check_references();
"""

DROP = """
DROP TRIGGER IF EXISTS spend_line_references_insert ON spend_spendline;
DROP TRIGGER IF EXISTS spend_line_references_update ON spend_spendline;
DROP FUNCTION IF EXISTS spend_line_check_references();
"""


def _run(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("spend", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]

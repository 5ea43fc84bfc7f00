"""Spend lines carry no per-row foreign keys (see spend.models._fact_fk). The loader checks the references of
each batch it inserts against the tenant's vendors and categories (sourcing/spend/importer.py); on PostgreSQL
this trigger checks every later update the same way, once per statement: each vendor, category and import must
exist in the line's own tenant. The check runs as the caller, so row-level security hides other tenants' rows
from it too."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION spend_line_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- distinct references first: a batch of thousands of lines names a few hundred vendors and categories
    IF EXISTS (
        SELECT 1 FROM (SELECT DISTINCT tenant_id, vendor_id FROM new_lines) n
        WHERE NOT EXISTS (SELECT 1 FROM spend_vendor v WHERE v.id = n.vendor_id AND v.tenant_id = n.tenant_id)
    ) OR EXISTS (
        SELECT 1 FROM (SELECT DISTINCT tenant_id, spend_import_id FROM new_lines) n
        WHERE NOT EXISTS (
            SELECT 1 FROM spend_spendimport i WHERE i.id = n.spend_import_id AND i.tenant_id = n.tenant_id
        )
    ) OR EXISTS (
        SELECT 1 FROM (SELECT DISTINCT tenant_id, category_id FROM new_lines WHERE category_id IS NOT NULL) n
        WHERE NOT EXISTS (
            SELECT 1 FROM categories_category c WHERE c.id = n.category_id AND c.tenant_id = n.tenant_id
        )
    ) THEN
        RAISE EXCEPTION 'spend line refers to a vendor, import or category outside its tenant'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS spend_line_references_update ON spend_spendline;
CREATE TRIGGER spend_line_references_update AFTER UPDATE ON spend_spendline
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION spend_line_check_references();
"""

DROP = """
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

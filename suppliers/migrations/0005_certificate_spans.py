from django.db import migrations


def refill_certificate_ends(apps, schema_editor):
    """``Supplier.certificate_ends`` held the end dates of the certificates current when it was written; it now
    holds every certificate's span and the day it is renewed from, so that a certificate starting later is read
    right on its day (``suppliers.row_facts``). Each tenant's rows are read inside that tenant's setting, which
    row-level security requires (the owner is bound too)."""
    from suppliers import row_facts

    Tenant = apps.get_model("sourcing", "Tenant")
    Supplier = apps.get_model("suppliers", "Supplier")
    Certification = apps.get_model("suppliers", "Certification")
    postgres = schema_editor.connection.vendor == "postgresql"
    for tenant_id in Tenant.objects.values_list("id", flat=True):
        if postgres:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        ends = row_facts.certificate_ends(
            Certification._base_manager.filter(tenant_id=tenant_id)
            .order_by()
            .values_list("supplier_id", "cert_type", "name", "site_id", "valid_from", "valid_until")
        )
        rows = list(Supplier._base_manager.filter(tenant_id=tenant_id).only("id", "certificate_ends"))
        for row in rows:
            row.certificate_ends = ends.get(row.pk, [])
        Supplier._base_manager.bulk_update(rows, ["certificate_ends"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0004_name_index_version"),
    ]

    operations = [
        migrations.RunPython(refill_certificate_ends, migrations.RunPython.noop),
    ]

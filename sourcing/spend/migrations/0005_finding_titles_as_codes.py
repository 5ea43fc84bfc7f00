from django.db import migrations


def _tenants(apps, schema_editor):
    """Each tenant's rows are read inside that tenant's setting, which row-level security requires."""
    Tenant = apps.get_model("sourcing", "Tenant")
    postgres = schema_editor.connection.vendor == "postgresql"
    for tenant_id in Tenant.objects.values_list("id", flat=True):
        if postgres:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        yield tenant_id


def titles_to_codes(apps, schema_editor):
    """The findings the analyses raised before titles were kept as codes: their stored words (English, or
    Chinese when raised by someone reading in Chinese) read back into a code and parameters, so they are shown
    in each viewer's language. Findings people wrote, and words that are not their kind's title, keep their
    words, which this step never changes."""
    from sourcing.spend.finding_text import parse

    Finding = apps.get_model("spend", "Finding")
    for tenant_id in _tenants(apps, schema_editor):
        found = []
        for finding in Finding._base_manager.filter(tenant_id=tenant_id, title_code="").exclude(key=""):
            names = [str(s.get("name", "")) for s in finding.suppliers or [] if isinstance(s, dict)]
            parsed = parse(finding.title, finding.kind, names)
            if parsed is not None:
                finding.title_code, finding.title_params = parsed
                found.append(finding)
        Finding._base_manager.bulk_update(found, ["title_code", "title_params"], batch_size=2000)


def codes_to_titles(apps, schema_editor):
    """Back: the findings show their stored words again (which the forward step never changed)."""
    Finding = apps.get_model("spend", "Finding")
    for tenant_id in _tenants(apps, schema_editor):
        Finding._base_manager.filter(tenant_id=tenant_id).exclude(title_code="").update(title_code="", title_params={})


class Migration(migrations.Migration):
    dependencies = [("spend", "0004_finding_title_codes"), ("sourcing", "0001_initial")]

    operations = [migrations.RunPython(titles_to_codes, codes_to_titles)]

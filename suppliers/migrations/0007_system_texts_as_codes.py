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


def texts_to_codes(apps, schema_editor):
    """The texts the system wrote before they were kept as codes (risk-flag titles, the findings raised for
    critical audit items): their stored words, English or Chinese (written while someone read in Chinese), read
    back into a code and parameters, so they are shown in each viewer's language. Words that are not a known
    text, and texts people typed, keep their words, which this step never changes. Chinese names with spaces
    between words get the name key the duplicate check now computes."""
    from suppliers.names import name_key
    from suppliers.system_text import parse, parse_finding

    RiskFlag = apps.get_model("suppliers", "RiskFlag")
    AuditFinding = apps.get_model("suppliers", "AuditFinding")
    Supplier = apps.get_model("suppliers", "Supplier")
    for tenant_id in _tenants(apps, schema_editor):
        flags = []
        for flag in RiskFlag._base_manager.filter(tenant_id=tenant_id, title_code="").exclude(source=""):
            parsed = parse(flag.title, flag.source)
            if parsed is not None:
                flag.title_code, flag.title_params = parsed
                flags.append(flag)
        RiskFlag._base_manager.bulk_update(flags, ["title_code", "title_params"], batch_size=2000)
        findings = []
        for finding in AuditFinding._base_manager.filter(
            tenant_id=tenant_id, description_code="", item__isnull=False
        ).select_related("item"):
            parsed = parse_finding(finding.description, finding.item.text)
            if parsed is not None:
                finding.description_code, finding.description_params = parsed
                findings.append(finding)
        AuditFinding._base_manager.bulk_update(findings, ["description_code", "description_params"], batch_size=2000)
        suppliers = []
        for supplier in Supplier._base_manager.filter(tenant_id=tenant_id, local_name__contains=" ").only(
            "id", "local_name", "local_name_key"
        ):
            key = name_key(supplier.local_name)[:255]
            if key != supplier.local_name_key:
                supplier.local_name_key = key
                suppliers.append(supplier)
        Supplier._base_manager.bulk_update(suppliers, ["local_name_key"], batch_size=2000)


def codes_to_texts(apps, schema_editor):
    """Back: the records show their stored words again (which the forward step never changed)."""
    RiskFlag = apps.get_model("suppliers", "RiskFlag")
    AuditFinding = apps.get_model("suppliers", "AuditFinding")
    for tenant_id in _tenants(apps, schema_editor):
        RiskFlag._base_manager.filter(tenant_id=tenant_id).exclude(title_code="").update(title_code="", title_params={})
        AuditFinding._base_manager.filter(tenant_id=tenant_id).exclude(description_code="").update(
            description_code="", description_params={}
        )


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0006_system_text_codes_and_local_names")]

    operations = [migrations.RunPython(texts_to_codes, codes_to_texts)]

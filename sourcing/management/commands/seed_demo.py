"""Demo data: two tenants, one user per internal role in each, and a partner agency with two agents.

Idempotent: running it again changes nothing that is already there. Every demo password is
``sourcewise-demo`` (settings.DEMO_PASSWORD).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from rfq.demo.tables import seed_landed_cost
from sourcing.actors import Actor
from sourcing.categories.demo.categories import seed_categories
from sourcing.models import Agency, Membership, Tenant, User
from sourcing.rls import refresh_statistics
from sourcing.roles import Role
from sourcing.services import agency_create, agent_assign, member_invite
from sourcing.spend.demo.lines import seed_spend
from sourcing.spend.services.dependency import risk_dependency_refresh
from sourcing.spend.services.finding_rules import findings_raise
from sourcing.tenancy import tenant_scope
from suppliers.demo.base import seed_supplier_base
from suppliers.models import Supplier
from suppliers.services.master import supplier_upsert
from suppliers.services.supplier_fields import SupplierFields

TENANTS = [
    ("acme", "Acme Home Goods", "USD", "America/Chicago"),
    ("globex", "Globex Outdoor", "USD", "America/Los_Angeles"),
]
INTERNAL_USERS = [
    ("admin", Role.ADMIN, "Alex Admin"),
    ("category", Role.CATEGORY_MANAGER, "Casey Category"),
    ("buyer", Role.BUYER, "Blake Buyer"),
    ("quality", Role.QUALITY, "Quinn Quality"),
    ("finance", Role.FINANCE, "Frankie Finance"),
    ("exec", Role.EXECUTIVE, "Emery Executive"),
]
AGENCY = "Shenzhen Bridge Sourcing"
AGENTS = [
    ("agent.li@szbridge.test", "李伟 (Li Wei)", ["acme", "globex"]),
    ("agent.chen@szbridge.test", "陈静 (Chen Jing)", ["acme"]),
]
# A first handful of suppliers so assignments and the partner portal have something real to show.
SUPPLIERS = {
    "acme": [
        (
            "Ningbo Everbright Housewares Co., Ltd.",
            "宁波永辉家居用品有限公司",
            "manufacturer",
            "Zhejiang",
            "Ningbo",
            "V-10001",
            "agent.li@szbridge.test",
        ),
        (
            "Foshan Meijia Ceramics Co., Ltd.",
            "佛山美家陶瓷有限公司",
            "manufacturer",
            "Guangdong",
            "Foshan",
            "V-10002",
            "agent.chen@szbridge.test",
        ),
        (
            "Yiwu Sunrise Trading Co., Ltd.",
            "义乌日升贸易有限公司",
            "trading_company",
            "Zhejiang",
            "Yiwu",
            "V-10003",
            None,
        ),
    ],
    "globex": [
        (
            "Xiamen Peakline Outdoor Products Co., Ltd.",
            "厦门峰线户外用品有限公司",
            "manufacturer",
            "Fujian",
            "Xiamen",
            "G-2001",
            "agent.li@szbridge.test",
        ),
        (
            "Qingdao Northstar Textile Co., Ltd.",
            "青岛北极星纺织有限公司",
            "manufacturer",
            "Shandong",
            "Qingdao",
            "G-2002",
            None,
        ),
    ],
}


class Command(BaseCommand):
    help = "Load the demo tenants, users, agency and agents (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production", action="store_true", help="load demo logins even with DJANGO_DEBUG=false"
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Refusing to create demo logins with a known password on a production setup.")
        password = settings.DEMO_PASSWORD
        system = Actor.system("seed_demo")
        for slug, name, currency, zone in TENANTS:
            tenant, _ = Tenant.objects.get_or_create(
                slug=slug, defaults={"name": name, "base_currency": currency, "time_zone": zone}
            )
            with tenant_scope(tenant):
                for local, role, full_name in INTERNAL_USERS:
                    self._member(tenant, system, f"{local}@{slug}.test", role, full_name, password, None, "en", zone)
                agency = Agency.objects.filter(name=AGENCY).first() or agency_create(
                    tenant=tenant, by=system, name=AGENCY, country="CN", contact_email="hello@szbridge.test"
                )
                for email, full_name, tenants in AGENTS:
                    if slug in tenants:
                        self._member(
                            tenant,
                            system,
                            email,
                            Role.AGENT,
                            full_name,
                            password,
                            agency,
                            "zh-hans",
                            "Asia/Shanghai",
                        )
                self._suppliers(tenant, system)
                duties = seed_landed_cost(tenant=tenant, by=system)
                if duties:
                    self.stdout.write(f"  {slug}: {duties} duty rates, freight lanes and landed-cost settings added")
            seed_categories(tenant=tenant, by=system)
            if slug == "acme":
                added = seed_spend(tenant=tenant, by=system)
                if added:
                    with tenant_scope(tenant):
                        raised, _updated = findings_raise(tenant=tenant, by=system)
                    self.stdout.write(f"  {slug}: {added} spend lines imported, {raised} findings raised")
            suppliers = seed_supplier_base(tenant=tenant, by=system)
            if suppliers:
                with tenant_scope(tenant):
                    risk_dependency_refresh(tenant=tenant, by=system)  # single-source categories, from the spend
                self.stdout.write(
                    f"  {slug}: {suppliers} suppliers added with their sites, evidence, audits and onboarding"
                )
        refresh_statistics(connection)  # the tables were empty when the planner last looked
        self.stdout.write("Demo data ready. Every demo password is: " + password)
        self.stdout.write("  acme:   admin@acme.test, category@acme.test, buyer@acme.test, quality@acme.test,")
        self.stdout.write("          finance@acme.test, exec@acme.test")
        self.stdout.write("  globex: admin@globex.test, category@globex.test, buyer@globex.test, …, exec@globex.test")
        self.stdout.write("  agents: agent.li@szbridge.test (acme, globex), agent.chen@szbridge.test (acme)")

    def _member(
        self,
        tenant: Tenant,
        system: Actor,
        email: str,
        role: str,
        full_name: str,
        password: str,
        agency: Agency | None,
        language: str,
        zone: str,
    ) -> None:
        user = User.objects.filter(email=email).first()
        if user is not None and Membership.objects.filter(user=user).exists():
            return
        member_invite(
            tenant=tenant,
            by=system,
            email=email,
            role=role,
            full_name=full_name,
            agency_id=agency.pk if agency else None,
            language=language,
            time_zone=zone,
            send_email=False,
            password=password,
        )

    def _suppliers(self, tenant: Tenant, system: Actor) -> None:
        for legal, local, kind, province, city, erp_id, agent_email in SUPPLIERS[tenant.slug]:
            supplier = Supplier.objects.filter(external_id=erp_id).first()
            if supplier is not None:
                continue
            supplier, _created = supplier_upsert(
                tenant=tenant,
                by=system,
                fields=SupplierFields(
                    legal_name=legal,
                    local_name=local,
                    supplier_type=kind,
                    country="CN",
                    province=province,
                    city=city,
                    external_id=erp_id,
                    internal_notes="Target price 8% below last quote; do not share with the agent.",
                ),
                allow_duplicates=True,
            )
            if agent_email:
                membership = Membership.objects.get(user__email=agent_email)
                agent_assign(tenant=tenant, by=system, agent_membership_id=membership.pk, obj=supplier)

"""Demo supplier base: about 150 suppliers for acme (a couple of dozen for globex) across Guangdong, Zhejiang,
Jiangsu, Fujian and Shandong plus Vietnam, Mexico and the U.S.; manufacturers and trading companies with valid
credit codes, sites, contacts, categories, owners, agents, a qualification history, planted duplicates and
prospects proposed by agents; then certificates, documents, audits, onboarding, bank details and risk flags
through their own seeds. Deterministic and idempotent (a tenant that has the base already is left alone)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.identifiers import uscc_check_character
from suppliers.models import StatusChange, Supplier, SupplierStatus
from suppliers.services.master import supplier_create, supplier_update
from suppliers.services.sites_contacts import contact_save, site_save
from suppliers.services.supplier_fields import SupplierFields

# (country, province, city, division code, Chinese city, English phone prefix)
PLACES = [
    ("CN", "Guangdong", "Shenzhen", "440300", "深圳", "+86 755"),
    ("CN", "Guangdong", "Dongguan", "441900", "东莞", "+86 769"),
    ("CN", "Guangdong", "Foshan", "440600", "佛山", "+86 757"),
    ("CN", "Guangdong", "Guangzhou", "440100", "广州", "+86 20"),
    ("CN", "Zhejiang", "Ningbo", "330200", "宁波", "+86 574"),
    ("CN", "Zhejiang", "Yiwu", "330782", "义乌", "+86 579"),
    ("CN", "Zhejiang", "Hangzhou", "330100", "杭州", "+86 571"),
    ("CN", "Zhejiang", "Taizhou", "331000", "台州", "+86 576"),
    ("CN", "Jiangsu", "Suzhou", "320500", "苏州", "+86 512"),
    ("CN", "Jiangsu", "Wuxi", "320200", "无锡", "+86 510"),
    ("CN", "Jiangsu", "Changzhou", "320400", "常州", "+86 519"),
    ("CN", "Fujian", "Xiamen", "350200", "厦门", "+86 592"),
    ("CN", "Fujian", "Quanzhou", "350500", "泉州", "+86 595"),
    ("CN", "Shandong", "Qingdao", "370200", "青岛", "+86 532"),
    ("CN", "Shandong", "Yantai", "370600", "烟台", "+86 535"),
    ("VN", "Binh Duong", "Thu Dau Mot", "", "", "+84 274"),
    ("VN", "Ho Chi Minh City", "Thu Duc", "", "", "+84 28"),
    ("MX", "Nuevo León", "Monterrey", "", "", "+52 81"),
    ("MX", "Baja California", "Tijuana", "", "", "+52 664"),
    ("US", "California", "Ontario", "", "", "+1 909"),
    ("US", "Ohio", "Columbus", "", "", "+1 614"),
]
PLACE_WEIGHTS = [6, 6, 6, 4, 8, 7, 4, 4, 5, 3, 3, 5, 3, 4, 2, 3, 2, 2, 1, 1, 1]
# (English word, Chinese word, processes)
TRADES = [
    ("Housewares", "家居用品", ["injection moulding", "assembly", "packing"]),
    ("Kitchenware", "厨具", ["stamping", "polishing", "assembly"]),
    ("Stainless Steel Products", "不锈钢制品", ["deep drawing", "welding", "polishing"]),
    ("Ceramics", "陶瓷", ["forming", "glazing", "kiln firing"]),
    ("Glassware", "玻璃制品", ["blowing", "annealing", "decoration"]),
    ("Textile", "纺织", ["weaving", "dyeing", "sewing"]),
    ("Home Textiles", "家纺", ["cutting", "sewing", "quilting"]),
    ("Electric Appliance", "电器", ["SMT", "assembly", "hi-pot testing"]),
    ("Plastic Products", "塑料制品", ["injection moulding", "blow moulding"]),
    ("Packaging", "包装", ["offset printing", "die cutting", "lamination"]),
    ("Silicone Products", "硅胶制品", ["compression moulding", "trimming"]),
    ("Bamboo & Wood Products", "竹木制品", ["cutting", "lacquering", "assembly"]),
]
PREFIXES = [
    "Everbright",
    "Meijia",
    "Sunrise",
    "Goldleaf",
    "Hengtai",
    "Jiali",
    "Huafeng",
    "Dongsheng",
    "Xinyuan",
    "Tianli",
    "Kaida",
    "Ruifeng",
    "Baoli",
    "Yongxin",
    "Hongda",
    "Lianfa",
    "Shengtai",
    "Jinma",
    "Fuhua",
    "Mingde",
    "Haotian",
    "Zhongxing",
    "Longwei",
    "Anda",
]
CN_PREFIXES = [
    "永辉",
    "美家",
    "日升",
    "金叶",
    "恒泰",
    "佳丽",
    "华丰",
    "东升",
    "新源",
    "天力",
    "凯达",
    "瑞丰",
    "宝利",
    "永新",
    "宏达",
    "联发",
    "盛泰",
    "金马",
    "富华",
    "明德",
    "昊天",
    "中兴",
    "龙威",
    "安达",
]
FOREIGN = {
    "VN": ["Saigon {w} Manufacturing JSC", "Binh Duong {w} Co., Ltd."],
    "MX": ["Industrias {w} del Norte S.A. de C.V.", "Manufacturas {w} S.A. de C.V."],
    "US": ["{w} Supply Inc.", "American {w} Corp."],
}
CONTACT_NAMES = [
    "Li Wei",
    "Zhang Min",
    "Wang Fang",
    "Chen Jie",
    "Liu Yang",
    "Huang Lei",
    "Zhao Jing",
    "Wu Tao",
    "Zhou Na",
    "Xu Qiang",
    "Sun Li",
    "Ma Jun",
]
FOREIGN_CONTACTS = {
    "VN": ["Nguyen Van An", "Tran Thi Mai"],
    "MX": ["Luis Herrera", "Ana García"],
    "US": ["Mike Johnson", "Sarah Miller"],
}

# status, weight
STATUSES = [
    (SupplierStatus.APPROVED, 55),
    (SupplierStatus.CONDITIONAL, 8),
    (SupplierStatus.IN_QUALIFICATION, 12),
    (SupplierStatus.PROSPECT, 10),
    (SupplierStatus.SUSPENDED, 4),
    (SupplierStatus.BLOCKED, 2),
    (SupplierStatus.REJECTED, 6),
]
# The path each status is reached by, with the reasons people give.
PATHS = {
    SupplierStatus.PROSPECT: [],
    SupplierStatus.IN_QUALIFICATION: ["in_qualification"],
    SupplierStatus.APPROVED: ["in_qualification", "approved"],
    SupplierStatus.CONDITIONAL: ["in_qualification", "conditional"],
    SupplierStatus.REJECTED: ["in_qualification", "rejected"],
    SupplierStatus.SUSPENDED: ["in_qualification", "approved", "suspended"],
    SupplierStatus.BLOCKED: ["in_qualification", "approved", "blocked"],
}
REASONS: dict[str, list[str]] = {
    SupplierStatus.REJECTED: [
        "A trading company presenting itself as the factory.",
        "No capacity for our volumes.",
        "Failed the sample evaluation twice.",
    ],
    SupplierStatus.SUSPENDED: [
        "Three late shipments in a row; corrective action requested.",
        "Critical defect found at pre-shipment inspection.",
    ],
    SupplierStatus.BLOCKED: ["Changed bank details by e-mail without notice; under investigation."],
}


@dataclass(frozen=True)
class Planned:
    legal_name: str
    local_name: str
    supplier_type: str
    place: tuple[str, str, str, str, str, str]
    trade: tuple[str, str, list[str]]


def credit_code(rng: random.Random, division: str) -> str:
    """A checksum-valid unified social credit code (GB 32100) registered in ``division``."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + division + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc_check_character(body)


def _plan(rng: random.Random, count: int, taken: set[str]) -> list[Planned]:
    planned: list[Planned] = []
    while len(planned) < count:
        place = rng.choices(PLACES, PLACE_WEIGHTS)[0]
        trade = rng.choice(TRADES)
        kind = rng.choices(["manufacturer", "trading_company", "other"], [70, 25, 5])[0]
        n = rng.randrange(len(PREFIXES))
        if place[0] == "CN":
            word = "Trading" if kind == "trading_company" else trade[0]
            legal = f"{place[2]} {PREFIXES[n]} {word} Co., Ltd."
            local = f"{place[4]}{CN_PREFIXES[n]}{'贸易' if kind == 'trading_company' else trade[1]}有限公司"
        else:
            legal = rng.choice(FOREIGN[place[0]]).format(w=f"{PREFIXES[n]} {trade[0]}")
            local = ""
        if legal in taken:
            continue
        taken.add(legal)
        planned.append(Planned(legal, local, kind, place, trade))
    return planned


def _members(tenant: Tenant) -> dict[str, Membership]:
    found: dict[str, Membership] = {}
    for m in Membership.objects.filter(is_active=True).select_related("user").order_by("user__email"):
        found.setdefault(m.role, m)
    return found


def seed_suppliers(*, tenant: Tenant, by: Actor, count: int = 150, seed: int = 11) -> int:
    """Grow the tenant's supplier base to about ``count`` and give it a life; returns suppliers added."""
    rng = random.Random(seed)  # noqa: S311 - demo data, deterministic on purpose
    today = timezone.localdate()
    with tenant_scope(tenant):
        if Supplier.objects.filter(merged_into__isnull=True).count() >= count * 0.8:
            return 0
        members = _members(tenant)
        agents = list(
            Membership.objects.filter(role=Role.AGENT, is_active=True).select_related("user").order_by("user__email")
        )
        owners = [m for r, m in members.items() if r in {Role.BUYER, Role.CATEGORY_MANAGER}]
        leaves = list(Category.objects.filter(children__isnull=True).order_by("code"))
        existing = list(Supplier.objects.filter(merged_into__isnull=True).order_by("legal_name"))
        added = 0
        for planned in _plan(rng, count - len(existing), {s.legal_name for s in existing}):
            country, province, city, division, _cn, phone_prefix = planned.place
            data: dict[str, Any] = {
                "legal_name": planned.legal_name,
                "local_name": planned.local_name,
                "supplier_type": planned.supplier_type,
                "country": country,
                "province": province,
                "city": city,
                "address": f"{rng.randint(1, 388)} {rng.choice(['Industrial', 'Xinhua', 'Jinhai', 'Binhai'])} Road",
                "phone": f"{phone_prefix} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                "website": f"www.{planned.legal_name.split()[1].lower()}{rng.randint(10, 99)}.com",
                "year_founded": rng.randint(1992, 2021),
                "employees": rng.choice([45, 80, 120, 260, 450, 900, 1600]),
                "capacity_notes": f"{rng.choice([20, 40, 60, 120])}k units a month",
                "credit_code": credit_code(rng, division) if division else "",
            }
            supplier = supplier_create(tenant=tenant, by=by, fields=SupplierFields.of(data), allow_duplicates=True)
            existing.append(supplier)
            added += 1
        for supplier in existing:
            _enrich(tenant, by, rng, supplier, leaves=leaves, owners=owners)
        _history(tenant, rng, existing, today=today, by=by)
        _agents(tenant, by, rng, existing, agents)
        _duplicates(tenant, by, existing)
        live = list(Supplier.objects.filter(merged_into__isnull=True).order_by("legal_name"))
        members_with_agent = {**members}
        if agents:
            members_with_agent["agent"] = agents[0]
        from suppliers.demo.audits import seed_audits
        from suppliers.demo.evidence import seed_evidence
        from suppliers.demo.onboarding import seed_onboarding

        seed_evidence(tenant=tenant, by=by, suppliers=live, members=members_with_agent)
        seed_audits(tenant=tenant, by=by, suppliers=live, members=members_with_agent)
        seed_onboarding(tenant=tenant, by=by, suppliers=live, members=members_with_agent)
    return added


def _enrich(
    tenant: Tenant, by: Actor, rng: random.Random, supplier: Supplier, *, leaves: list[Category], owners: list[Any]
) -> None:
    """Tier, owner, categories, a site or two and a contact or two (for suppliers that lack them)."""
    update: dict[str, Any] = {}
    if not supplier.categories.exists() and leaves:
        update["category_ids"] = [str(c.pk) for c in rng.sample(leaves, k=min(len(leaves), rng.choice([1, 1, 2, 3])))]
    if supplier.owner_id is None and owners:
        update["owner_id"] = str(rng.choice(owners).pk)
    update["tier"] = rng.choices(["strategic", "core", "transactional"], [12, 38, 50])[0]
    supplier_update(
        tenant=tenant, by=by, supplier_id=supplier.pk, fields=SupplierFields.of(update), allow_duplicates=True
    )
    if supplier.sites.exists():
        return
    trade = next((t for t in TRADES if t[0] in supplier.legal_name), rng.choice(TRADES))
    if supplier.supplier_type == "manufacturer":
        for n in range(rng.choice([1, 1, 2])):
            site_save(
                tenant=tenant,
                by=by,
                supplier_id=supplier.pk,
                name=f"Plant {n + 1}",
                kind="factory",
                country=supplier.country,
                province=supplier.province,
                city=supplier.city,
                processes=rng.sample(trade[2], k=min(2, len(trade[2]))),
                capacity=supplier.capacity_notes,
            )
    else:
        site_save(
            tenant=tenant,
            by=by,
            supplier_id=supplier.pk,
            name="Office",
            kind="office",
            country=supplier.country,
            province=supplier.province,
            city=supplier.city,
        )
    names = FOREIGN_CONTACTS.get(supplier.country, CONTACT_NAMES)
    for n, name in enumerate(rng.sample(names, k=min(len(names), rng.choice([1, 2])))):
        contact_save(
            tenant=tenant,
            by=by,
            supplier_id=supplier.pk,
            name=name,
            title=rng.choice(["Sales manager", "General manager", "QA manager", "Export sales"]),
            language="zh-hans" if supplier.country == "CN" else "en",
            email=f"{name.split()[0].lower()}@{supplier.website.removeprefix('www.') or 'example.com'}",
            wechat=f"{name.replace(' ', '').lower()}{rng.randint(10, 99)}" if supplier.country == "CN" else "",
            time_zone={"CN": "Asia/Shanghai", "VN": "Asia/Ho_Chi_Minh", "MX": "America/Monterrey"}.get(
                supplier.country, "America/New_York"
            ),
            is_primary=n == 0,
        )


def _history(tenant: Tenant, rng: random.Random, suppliers: list[Supplier], *, today: datetime.date, by: Actor) -> None:
    """Each supplier's qualification story as it happened (written as history, not replayed through the rules:
    the evidence that justified those decisions is seeded afterwards)."""
    statuses = [s for s, _w in STATUSES]
    weights = [w for _s, w in STATUSES]
    changes: list[StatusChange] = []
    for supplier in suppliers:
        if StatusChange.objects.filter(supplier_id=supplier.pk).exists():
            continue
        status = rng.choices(statuses, weights)[0]
        day = today - datetime.timedelta(days=rng.randint(120, 700))
        previous: str = SupplierStatus.PROSPECT
        reason = ""
        for step in PATHS[status]:
            day += datetime.timedelta(days=rng.randint(14, 90))
            reason = rng.choice(REASONS.get(step, [""]))
            changes.append(
                StatusChange(
                    tenant=tenant,
                    supplier=supplier,
                    from_status=previous,
                    to_status=step,
                    reason=reason,
                    conditions="Pass the social-compliance audit (amfori BSCI)." if step == "conditional" else "",
                    expires_on=today + datetime.timedelta(days=rng.randint(20, 120)) if step == "conditional" else None,
                    by_label="quality@" + tenant.slug + ".test",
                    at=timezone.make_aware(datetime.datetime.combine(min(day, today), datetime.time(10))),
                )
            )
            previous = step
        update: dict[str, Any] = {"status": status, "status_reason": reason}
        if status == SupplierStatus.CONDITIONAL:
            update |= {
                "approval_conditions": "Pass the social-compliance audit (amfori BSCI).",
                "approval_expires_on": changes[-1].expires_on,
            }
        Supplier.objects.filter(pk=supplier.pk).update(**update)
        supplier.status = status
    StatusChange.objects.bulk_create(changes)


def _agents(tenant: Tenant, by: Actor, rng: random.Random, suppliers: list[Supplier], agents: list[Membership]) -> None:
    """Agents hold a share of the Chinese suppliers; some prospects are theirs."""
    chinese = [s for s in suppliers if s.country == "CN"]
    for n, agent in enumerate(agents):
        for supplier in rng.sample(chinese, k=min(len(chinese), 18 if n == 0 else 9)):
            agent_assign(tenant=tenant, by=by, agent_membership_id=agent.pk, obj=supplier)
        prospects = [s for s in chinese if s.status == SupplierStatus.PROSPECT and s.proposed_by_id is None]
        for supplier in prospects[n * 3 : n * 3 + 3]:
            Supplier.objects.filter(pk=supplier.pk).update(proposed_by=agent)
            agent_assign(tenant=tenant, by=by, agent_membership_id=agent.pk, obj=supplier)


def _duplicates(tenant: Tenant, by: Actor, suppliers: list[Supplier]) -> None:
    """Three records that are another supplier again, the way they creep in: the English name written out in
    full, the same phone under a trading name, the same website."""
    chinese = [s for s in suppliers if s.country == "CN" and s.local_name]
    if len(chinese) < 6 or Supplier.objects.filter(legal_name__endswith="COMPANY LIMITED").exists():
        return
    a, b, c = chinese[1], chinese[4], chinese[7 % len(chinese)]
    supplier_create(
        tenant=tenant,
        by=by,
        fields=SupplierFields(
            legal_name=a.legal_name.replace("Co., Ltd.", "COMPANY LIMITED").upper(),
            country="CN",
            province=a.province,
            city=a.city,
        ),
        allow_duplicates=True,
    )
    supplier_create(
        tenant=tenant,
        by=by,
        fields=SupplierFields(
            legal_name=f"{b.city} Bright Future Trading Co., Ltd.",
            supplier_type="trading_company",
            country="CN",
            province=b.province,
            phone=b.phone,
        ),
        allow_duplicates=True,
    )
    supplier_create(
        tenant=tenant,
        by=by,
        fields=SupplierFields(legal_name=f"{c.legal_name.split(' Co.')[0]} Factory", country="CN", website=c.website),
        allow_duplicates=True,
    )


def seed_supplier_base(*, tenant: Tenant, by: Actor) -> int:
    """The demo base for one tenant: about 150 suppliers for acme, 25 for any other."""
    return seed_suppliers(tenant=tenant, by=by, count=150 if tenant.slug == "acme" else 25)

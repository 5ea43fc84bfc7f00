"""Demo categories: what a U.S. home-goods importer buying from China sources, as a three-level tree with
segments, Kraljic scores, lead times and the compliance each category needs. Idempotent by code: a category
that is already there is left as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sourcing.actors import Actor
from sourcing.categories.models import Category, Segment
from sourcing.categories.requirements import AuditType as A
from sourcing.categories.requirements import CertificationType as C
from sourcing.categories.requirements import ComplianceRequirement as R
from sourcing.categories.services.categories import category_create
from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope

STRAT, OPER, TRANS = Segment.STRATEGIC, Segment.OPERATIONAL, Segment.TRANSACTIONAL

FOOD_CONTACT = [R.FDA, R.PROP65]
FOOD_CONTACT_CERTS = [C.FDA_FEI, C.PROP65, C.ISO_9001]
FACTORY_AUDITS = [A.QUALITY_SYSTEM, A.SOCIAL]
COTTON = [R.FORCED_LABOUR, R.PROP65]
COTTON_CERTS = [C.FORCED_LABOUR_TRACING, C.AMFORI_BSCI, C.PROP65]
DIRECT_SLA = (
    "On-time delivery ≥ 95 %; first-pass acceptance at pre-shipment inspection ≥ 98 %; NCR answered within 48 h."
)


@dataclass(frozen=True)
class Seed:
    code: str
    name: str
    parent: str | None
    segment: str = ""
    impact: int | None = None
    risk: int | None = None
    direct: bool = True
    lead_time: int | None = None
    compliance: Sequence[str] = ()
    certifications: Sequence[str] = ()
    audits: Sequence[str] = ()
    description: str = ""
    service_levels: str = ""


CATEGORIES = [
    Seed("100", "Kitchenware", None, STRAT, description="Cookware, kitchen tools and tableware sold under our brands."),
    Seed("110", "Cookware", "100", STRAT, lead_time=60, compliance=FOOD_CONTACT, audits=FACTORY_AUDITS),
    Seed(
        "111",
        "Stainless steel pots",
        "110",
        STRAT,
        4,
        3,
        lead_time=60,
        compliance=FOOD_CONTACT,
        certifications=FOOD_CONTACT_CERTS,
        audits=FACTORY_AUDITS,
        description="304/201 stainless stock pots and saucepans, tri-ply bases; mostly Guangdong and Zhejiang.",
        service_levels=DIRECT_SLA,
    ),
    Seed(
        "112",
        "Non-stick pans",
        "110",
        STRAT,
        4,
        4,
        lead_time=65,
        compliance=FOOD_CONTACT,
        certifications=FOOD_CONTACT_CERTS,
        audits=FACTORY_AUDITS,
        description="Aluminium pans with PTFE or ceramic coatings; PFAS-free claims need test reports.",
        service_levels=DIRECT_SLA,
    ),
    Seed("120", "Kitchen tools & gadgets", "100", OPER, lead_time=45, compliance=FOOD_CONTACT),
    Seed(
        "121",
        "Silicone utensils",
        "120",
        OPER,
        2,
        2,
        lead_time=45,
        compliance=FOOD_CONTACT,
        certifications=[C.FDA_FEI, C.PROP65],
        audits=[A.SOCIAL],
    ),
    Seed(
        "122",
        "Knives & cutlery",
        "120",
        OPER,
        3,
        2,
        lead_time=50,
        compliance=FOOD_CONTACT,
        certifications=[C.PROP65, C.ISO_9001],
        audits=FACTORY_AUDITS,
    ),
    Seed("130", "Tableware & drinkware", "100", STRAT, lead_time=55, compliance=FOOD_CONTACT),
    Seed(
        "131",
        "Ceramic dinnerware",
        "130",
        STRAT,
        4,
        3,
        lead_time=70,
        compliance=FOOD_CONTACT,
        certifications=FOOD_CONTACT_CERTS,
        audits=[*FACTORY_AUDITS, A.ENVIRONMENTAL],
        description="Stoneware and porcelain; lead and cadmium leaching tested per lot (Chaozhou, Dehua).",
        service_levels=DIRECT_SLA,
    ),
    Seed(
        "132",
        "Glass drinkware",
        "130",
        OPER,
        3,
        2,
        lead_time=50,
        compliance=FOOD_CONTACT,
        certifications=[C.FDA_FEI, C.PROP65],
        audits=[A.QUALITY_SYSTEM],
    ),
    Seed("200", "Home textiles", None, STRAT, description="Bedding, bath and children's textiles, mostly cotton."),
    Seed("210", "Bedding", "200", STRAT, lead_time=75, compliance=COTTON),
    Seed(
        "211",
        "Cotton sheet sets",
        "210",
        STRAT,
        5,
        4,
        lead_time=80,
        compliance=COTTON,
        certifications=COTTON_CERTS,
        audits=[A.SOCIAL, A.QUALITY_SYSTEM],
        description="Percale and sateen sheet sets; cotton traced to origin outside Xinjiang (UFLPA).",
        service_levels=DIRECT_SLA,
    ),
    Seed(
        "212",
        "Duvets & pillows",
        "210",
        OPER,
        3,
        2,
        lead_time=60,
        compliance=[R.PROP65],
        certifications=[C.PROP65, C.AMFORI_BSCI],
        audits=[A.SOCIAL],
    ),
    Seed("220", "Bath textiles", "200", STRAT, lead_time=70, compliance=COTTON),
    Seed(
        "221",
        "Cotton towels",
        "220",
        STRAT,
        4,
        4,
        lead_time=70,
        compliance=COTTON,
        certifications=COTTON_CERTS,
        audits=[A.SOCIAL],
        service_levels=DIRECT_SLA,
    ),
    Seed("230", "Children's textiles", "200", OPER, lead_time=75, compliance=[R.CPSIA, *COTTON]),
    Seed(
        "231",
        "Children's blankets & sleepwear",
        "230",
        OPER,
        2,
        4,
        lead_time=75,
        compliance=[R.CPSIA, *COTTON],
        certifications=[C.CPSIA_CPC, *COTTON_CERTS],
        audits=[A.SOCIAL, A.QUALITY_SYSTEM],
        description="Flammability (16 CFR 1610/1615-1616), tracking labels and a CPC per style.",
    ),
    Seed("300", "Small appliances", None, STRAT, description="Electrical kitchen and home appliances, 120 V."),
    Seed("310", "Kitchen appliances", "300", STRAT, lead_time=90, compliance=[R.UL, *FOOD_CONTACT]),
    Seed(
        "311",
        "Electric kettles",
        "310",
        STRAT,
        5,
        4,
        lead_time=90,
        compliance=[R.UL, *FOOD_CONTACT],
        certifications=[C.ISO_9001, C.FDA_FEI, C.PROP65],
        audits=[*FACTORY_AUDITS, A.SECURITY],
        service_levels=DIRECT_SLA,
    ),
    Seed(
        "312",
        "Blenders",
        "310",
        STRAT,
        4,
        3,
        lead_time=90,
        compliance=[R.UL, R.FCC, *FOOD_CONTACT],
        certifications=[C.ISO_9001, C.FDA_FEI, C.PROP65],
        audits=FACTORY_AUDITS,
        service_levels=DIRECT_SLA,
    ),
    Seed("320", "Home comfort appliances", "300", OPER, lead_time=85, compliance=[R.UL, R.PROP65]),
    Seed(
        "321",
        "Fans & heaters",
        "320",
        OPER,
        3,
        2,
        lead_time=85,
        compliance=[R.UL, R.PROP65],
        certifications=[C.ISO_9001, C.PROP65],
        audits=[A.QUALITY_SYSTEM],
    ),
    Seed("400", "Packaging", None, OPER, description="Printed retail packaging and shipping cartons."),
    Seed("410", "Retail boxes & inserts", "400", OPER, 2, 2, lead_time=30, compliance=[R.PROP65], audits=[A.SOCIAL]),
    Seed("420", "Shipping cartons", "400", TRANS, 1, 1, lead_time=20),
    Seed("500", "Indirect", None, TRANS, direct=False, description="Goods and services the business runs on."),
    Seed(
        "510",
        "Freight & logistics",
        "500",
        STRAT,
        4,
        2,
        direct=False,
        audits=[A.SECURITY],
        description="Ocean freight Yantian/Ningbo to LA/Long Beach and Savannah, drayage, customs brokerage.",
        service_levels="Booking confirmed within 48 h; container rolled at most once a quarter.",
    ),
    Seed(
        "520",
        "Testing & inspection services",
        "500",
        OPER,
        2,
        3,
        direct=False,
        certifications=[C.ISO_9001],
        description="Third-party labs (CPSIA, FDA, Prop 65) and AQL inspections in factory.",
        service_levels="Inspection report within 24 h; lab results within 5 working days.",
    ),
    Seed("530", "Office & IT", "500", TRANS, 1, 1, direct=False),
]


def seed_categories(*, tenant: Tenant, by: Actor) -> list[Category]:
    """Create the demo tree in ``tenant`` (codes already there are kept as they are); returns its
    categories in tree order. Category managers own the product categories when the tenant has one."""
    with tenant_scope(tenant):
        owner = Membership.objects.filter(role=Role.CATEGORY_MANAGER, is_active=True).order_by("created_at").first()
        existing = {c.code: c for c in Category.objects.filter(code__in=[s.code for s in CATEGORIES])}
        result: list[Category] = []
        for seed in CATEGORIES:
            category = existing.get(seed.code)
            if category is None:
                category = category_create(
                    tenant=tenant,
                    by=by,
                    code=seed.code,
                    name=seed.name,
                    parent_id=existing[seed.parent].pk if seed.parent else None,
                    owner_id=owner.pk if owner is not None and seed.direct else None,
                    description=seed.description,
                    segment=seed.segment,
                    profit_impact=seed.impact,
                    supply_risk=seed.risk,
                    is_production_material=seed.direct,
                    expected_lead_time_days=seed.lead_time,
                    compliance_requirements=list(seed.compliance),
                    required_certifications=list(seed.certifications),
                    required_audits=list(seed.audits),
                    service_levels=seed.service_levels,
                )
                existing[seed.code] = category
            result.append(category)
        return result

"""Demo spend: two years of an importer's invoice lines, generated deterministically and loaded through the
same import as a real ERP file, with the patterns the analyses exist to find planted in them:

- price variance: the same SKU from two or three factories at different prices, and prices creeping up;
- maverick spend: lines without a PO, and vendors linked to no supplier;
- duplicate suppliers: one company under two names (English legal forms, and 有限公司 / 有限责任公司);
- one-off purchases, a single-source category, and CNY, USD and EUR invoices converted with monthly rates.

Idempotent: a tenant that already has spend lines is left alone.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sourcing.actors import Actor
from sourcing.models import Tenant
from sourcing.spend.columns import CANONICAL_COLUMNS
from sourcing.spend.models import CategoryRule, FxRate, ImportSource, RuleField, SpendLine
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from suppliers.services.supplier_fields import SupplierFields

START = date(2024, 12, 1)
END = date(2026, 11, 15)


@dataclass(frozen=True)
class DemoVendor:
    name: str
    erp_id: str
    local_name: str = ""
    supplier: bool = True  # a supplier record exists (the vendor is matched by its ERP id)
    currency: str = "CNY"
    price_factor: float = 1.0


# Vendors by the categories they supply. The first of each list is the main source.
VENDORS: dict[str, list[DemoVendor]] = {
    "111": [
        DemoVendor("Ningbo Everbright Housewares Co., Ltd.", "V-10001", "宁波永辉家居用品有限公司"),
        DemoVendor(
            "Jiangmen Starlight Stainless Steel Products Co., Ltd.",
            "V-10011",
            "江门星光不锈钢制品有限公司",
            price_factor=1.07,
        ),
        DemoVendor("Yiwu Sunrise Trading Co., Ltd.", "V-10003", "义乌日升贸易有限公司", price_factor=1.18),
    ],
    "112": [
        DemoVendor("Yongkang Golden Pan Cookware Co., Ltd.", "V-10012", "永康金锅炊具有限公司"),
        DemoVendor("Ningbo Everbright Housewares Co., Ltd.", "V-10001", price_factor=1.05),
    ],
    "121": [DemoVendor("Dongguan Flexi Silicone Products Co., Ltd.", "V-10013", "东莞弹力硅胶制品有限公司")],
    "122": [
        DemoVendor("Yangjiang Sharpline Knives Co., Ltd.", "V-10014", "阳江锋线刀具有限公司"),
        DemoVendor("Yangjiang Sharp Line Knife Co Ltd", "V-10094", supplier=False, price_factor=1.04),
    ],
    "131": [DemoVendor("Foshan Meijia Ceramics Co., Ltd.", "V-10002", "佛山美家陶瓷有限公司")],
    "132": [
        DemoVendor("Shandong Clearview Glassware Co., Ltd.", "V-10015", "山东清视玻璃制品有限公司"),
        DemoVendor("Qixian Crystal Glass Factory", "V-10016", "祁县水晶玻璃厂", price_factor=0.96),
    ],
    "211": [
        DemoVendor("Nantong Cottonfield Home Textiles Co., Ltd.", "V-10021", "南通棉田家纺有限公司"),
        DemoVendor("Shaoxing Silkroad Textile Co., Ltd.", "V-10022", "绍兴丝路纺织有限公司", price_factor=1.09),
    ],
    "212": [DemoVendor("Hangzhou Cloudnest Bedding Co., Ltd.", "V-10023", "杭州云巢寝具有限公司")],
    "221": [
        DemoVendor("Gaoyang Softtouch Towel Co., Ltd.", "V-10024", "高阳柔触毛巾有限公司"),
        DemoVendor("高阳柔触毛巾有限责任公司", "", supplier=False, price_factor=1.02),
    ],
    "231": [DemoVendor("Xiamen Littlestar Children's Products Co., Ltd.", "V-10025", "厦门小星星儿童用品有限公司")],
    "311": [
        DemoVendor(
            "Shenzhen Homelux Electric Appliance Co., Ltd.", "V-10031", "深圳家乐士电器有限公司", currency="USD"
        ),
        DemoVendor(
            "Zhongshan Bright Kettle Co., Ltd.", "V-10032", "中山明亮水壶有限公司", currency="USD", price_factor=0.94
        ),
        DemoVendor(
            "Shenzhen Homelux Electrical Appliances Co Ltd", "", supplier=False, currency="USD", price_factor=1.03
        ),
    ],
    "312": [DemoVendor("Ningbo Powermix Appliances Co., Ltd.", "V-10033", "宁波强力搅拌电器有限公司", currency="USD")],
    "321": [
        DemoVendor("Foshan Breeze Electric Co., Ltd.", "V-10034", "佛山清风电器有限公司", currency="USD"),
        DemoVendor("Hai Phong Coolair Manufacturing JSC", "V-10035", supplier=True, currency="USD", price_factor=1.06),
    ],
    "410": [DemoVendor("Dongguan Printwell Packaging Co., Ltd.", "V-10041", "东莞印好包装有限公司")],
    "420": [
        DemoVendor("Kunshan Boxmaster Carton Co., Ltd.", "V-10042", "昆山箱王纸箱有限公司"),
        DemoVendor("Suzhou Quick Carton Factory", "V-10092", supplier=False, price_factor=1.12),
    ],
    "510": [
        DemoVendor("Pacific Bridge Logistics (Shenzhen) Ltd.", "V-10051", currency="USD"),
        DemoVendor("Hamburg Trans Forwarding GmbH", "V-10052", currency="EUR"),
    ],
    "520": [
        DemoVendor(
            "SGS-CSTC Standards Technical Services (Shanghai) Co., Ltd.", "V-10061", "通标标准技术服务（上海）有限公司"
        ),
        DemoVendor(
            "Intertek Testing Services Shenzhen Ltd.", "V-10062", "天祥检测服务（深圳）有限公司", currency="USD"
        ),
    ],
    "530": [DemoVendor("Office Depot Business Solutions", "V-10071", currency="USD")],
}
# Bought once in two years: one-off spend.
ONE_OFF = [
    (
        "2025-04-18",
        "Canton Fair Booth Services Co., Ltd.",
        "V-10081",
        "530",
        "Booth build, Canton Fair spring session",
        1,
        "18500.00",
        "CNY",
    ),
    (
        "2025-10-27",
        "Hong Kong Exhibition Catering Ltd.",
        "",
        "530",
        "Catering, Hong Kong Houseware Fair",
        1,
        "2400.00",
        "USD",
    ),
    (
        "2026-06-09",
        "Shanghai Lab Glass Instruments Co., Ltd.",
        "",
        "520",
        "Thermal shock test fixtures",
        4,
        "1350.00",
        "CNY",
    ),
]

# (SKU, description, unit, base unit price in CNY, yearly price creep)
ITEMS: dict[str, list[tuple[str, str, str, float, float]]] = {
    "111": [
        ("POT-16", "Stainless steel stock pot 16 cm", "pcs", 38.0, 0.03),
        ("POT-24", "Stainless steel stock pot 24 cm", "pcs", 62.0, 0.04),
        ("POT-SET5", "Stainless steel pot set, 5 pieces", "set", 210.0, 0.02),
    ],
    "112": [
        ("PAN-24NS", "Non-stick frying pan 24 cm", "pcs", 41.0, 0.02),
        ("PAN-28NS", "Non-stick frying pan 28 cm", "pcs", 52.0, 0.02),
    ],
    "121": [
        ("UTN-SIL6", "Silicone utensil set, 6 pieces", "set", 24.5, 0.0),
        ("SPT-SIL", "Silicone spatula", "pcs", 4.2, 0.0),
    ],
    "122": [
        ("KNF-CHEF8", "Chef's knife 8 inch", "pcs", 33.0, 0.01),
        ("KNF-BLK5", "Knife block set, 5 pieces", "set", 118.0, 0.01),
    ],
    "131": [
        ("DIN-16PC", "Stoneware dinner set, 16 pieces", "set", 96.0, 0.02),
        ("MUG-350", "Stoneware mug 350 ml", "pcs", 6.8, 0.0),
    ],
    "132": [
        ("GLS-TUM4", "Tumbler glasses, 4 pack", "set", 18.0, 0.0),
        ("GLS-WINE4", "Wine glasses, 4 pack", "set", 27.0, 0.01),
    ],
    "211": [
        ("SHT-Q-300", "Cotton sheet set queen 300TC", "set", 88.0, 0.05),
        ("SHT-K-300", "Cotton sheet set king 300TC", "set", 99.0, 0.05),
    ],
    "212": [
        ("DUV-Q", "Down-alternative duvet queen", "pcs", 76.0, 0.02),
        ("PIL-STD2", "Pillows standard, 2 pack", "set", 39.0, 0.02),
    ],
    "221": [
        ("TWL-BATH", "Cotton bath towel 70x140", "pcs", 17.5, 0.03),
        ("TWL-SET6", "Cotton towel set, 6 pieces", "set", 58.0, 0.03),
    ],
    "231": [
        ("BLK-KID", "Children's fleece blanket", "pcs", 21.0, 0.01),
        ("PJS-KID", "Children's cotton pyjamas", "set", 26.0, 0.01),
    ],
    "311": [
        ("KTL-17SS", "Electric kettle 1.7 l stainless", "pcs", 13.8, 0.02),
        ("KTL-17GL", "Electric kettle 1.7 l glass", "pcs", 15.2, 0.02),
    ],
    "312": [("BLD-600", "Countertop blender 600 W", "pcs", 22.5, 0.01)],
    "321": [
        ("FAN-TWR", "Tower fan 36 inch", "pcs", 24.0, 0.02),
        ("HTR-CER", "Ceramic space heater", "pcs", 17.0, 0.02),
    ],
    "410": [
        ("BOX-RTL-M", "Retail gift box, medium", "pcs", 3.1, 0.0),
        ("INS-PULP", "Moulded pulp insert", "pcs", 0.9, 0.0),
    ],
    "420": [
        ("CTN-5PLY-L", "Shipping carton 5-ply, large", "pcs", 6.4, 0.03),
        ("CTN-3PLY-M", "Shipping carton 3-ply, medium", "pcs", 3.2, 0.03),
    ],
}
# (description, unit, price in CNY): converted like the goods for vendors that invoice in USD or EUR
INDIRECT = {
    "510": ("Ocean freight FCL 40HQ Yantian-Los Angeles", "cntr", 25000.0),
    "520": ("Pre-shipment inspection, man-day", "day", 2300.0),
    "530": ("Office supplies and IT accessories", "lot", 6000.0),
}
COST_CENTERS = {"1": "CC-KITCHEN", "2": "CC-TEXTILE", "3": "CC-APPLIANCE", "4": "CC-PACKAGING", "5": "CC-OPS"}
CNY_USD = 0.1385
EUR_USD = 1.085


def _months() -> list[date]:
    months, day = [], START
    while day <= END:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def fx_rates(rng: random.Random) -> list[tuple[str, date, Decimal]]:
    rates = []
    cny, eur = CNY_USD, EUR_USD
    for month in _months():
        cny *= 1 + rng.uniform(-0.008, 0.008)
        eur *= 1 + rng.uniform(-0.015, 0.015)
        rates += [("CNY", month, Decimal(f"{cny:.6f}")), ("EUR", month, Decimal(f"{eur:.6f}"))]
    return rates


def _convert(price_cny: float, currency: str) -> float:
    if currency == "USD":
        return price_cny * CNY_USD
    if currency == "EUR":
        return price_cny * CNY_USD / EUR_USD
    return price_cny


def spend_rows(seed: int = 2026) -> list[list[str]]:
    """The canonical rows of the demo file: about 30,000 lines over two years."""
    rng = random.Random(seed)  # noqa: S311 - demo data, deterministic on purpose
    rows: list[list[str]] = []
    invoice = 0
    days = (END - START).days
    for code, items in ITEMS.items():
        vendors = VENDORS[code]
        weights = [0.62] + [0.38 / max(1, len(vendors) - 1)] * (len(vendors) - 1)
        for _order in range(1000 if code[0] in "12" else 700):
            vendor = rng.choices(vendors, weights[: len(vendors)])[0]
            day = START + timedelta(days=rng.randrange(days))
            years = (day - START).days / 365
            invoice += 1
            po = "" if rng.random() < 0.07 else f"PO-{24000 + invoice // 3}"
            for sku, description, uom, base, creep in rng.sample(items, k=len(items)):
                price = _convert(
                    base * vendor.price_factor * (1 + creep) ** years * rng.uniform(0.985, 1.015), vendor.currency
                )
                quantity = rng.choice([100, 200, 300, 500, 600, 800, 1000])
                unit_price = Decimal(f"{price:.4f}")
                amount = (unit_price * quantity).quantize(Decimal("0.01"))
                rows.append(
                    _row(
                        day, f"INV-{invoice:06d}", vendor, code, sku, description, quantity, uom, unit_price, amount, po
                    )
                )
    for code, (description, uom, base) in INDIRECT.items():
        for _order in range(400 if code == "510" else 150):
            vendor = rng.choice(VENDORS[code])
            day = START + timedelta(days=rng.randrange(days))
            invoice += 1
            quantity = rng.randint(2, 10) if code == "510" else rng.randint(1, 4)
            unit_price = Decimal(f"{_convert(base, vendor.currency) * rng.uniform(0.9, 1.1):.2f}")
            amount = (unit_price * quantity).quantize(Decimal("0.01"))
            po = "" if rng.random() < 0.25 else f"PO-{24000 + invoice // 3}"
            # freight lines come without a category code: a cost-center rule puts them in 510
            category = "" if code == "510" else code
            rows.append(
                _row(
                    day,
                    f"INV-{invoice:06d}",
                    vendor,
                    category,
                    "",
                    description,
                    quantity,
                    uom,
                    unit_price,
                    amount,
                    po,
                    cost_center="CC-LOGISTICS" if code == "510" else None,
                )
            )
    for day_text, name, erp_id, code, description, quantity, price_text, currency in ONE_OFF:
        invoice += 1
        vendor = DemoVendor(name, erp_id, supplier=False, currency=currency)
        amount = (Decimal(price_text) * quantity).quantize(Decimal("0.01"))
        rows.append(
            _row(
                date.fromisoformat(day_text),
                f"INV-{invoice:06d}",
                vendor,
                code,
                "",
                description,
                quantity,
                "lot",
                Decimal(price_text),
                amount,
                "",
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def _row(
    day: date,
    number: str,
    vendor: DemoVendor,
    code: str,
    sku: str,
    description: str,
    quantity: int,
    uom: str,
    unit_price: Decimal,
    amount: Decimal,
    po: str,
    cost_center: str | None = None,
) -> list[str]:
    center = cost_center or COST_CENTERS.get((code or "5")[0], "CC-OPS")
    return [
        day.isoformat(),
        number,
        vendor.name,
        vendor.erp_id,
        code,
        sku,
        description,
        str(quantity),
        uom,
        str(unit_price),
        vendor.currency,
        str(amount),
        po,
        center,
    ]


def supplier_category_codes() -> dict[str, list[str]]:
    """ERP id -> the codes of the categories its lines are booked on (freight too, which its rule files under
    510): a demo supplier supplies what its spend says it sells, and nothing else."""
    codes: dict[str, list[str]] = {}
    for code, vendors in VENDORS.items():
        for vendor in vendors:
            if vendor.supplier and vendor.erp_id and code not in codes.setdefault(vendor.erp_id, []):
                codes[vendor.erp_id].append(code)
    return codes


def _supplier_categories(*, tenant: Tenant, by: Actor, categories: dict[str, Any]) -> None:
    """Give each demo supplier with spend the categories of its spend (see ``supplier_category_codes``)."""
    from suppliers.models import Supplier
    from suppliers.services.master import supplier_update

    suppliers = {s.external_id: s for s in Supplier.objects.filter(external_id__in=list(supplier_category_codes()))}
    for erp_id, codes in supplier_category_codes().items():
        supplier = suppliers.get(erp_id)
        wanted = sorted(str(categories[c].pk) for c in codes if c in categories)
        if supplier is None or not wanted:
            continue
        if sorted(str(pk) for pk in supplier.categories.values_list("pk", flat=True)) != wanted:
            supplier_update(
                tenant=tenant,
                by=by,
                supplier_id=supplier.pk,
                fields=SupplierFields(category_ids=wanted),
                allow_duplicates=True,
            )


def demo_suppliers() -> list[DemoVendor]:
    """The vendors that have a supplier record (the rest wait in the unmatched queue)."""
    seen: dict[str, DemoVendor] = {}
    for vendors in VENDORS.values():
        for vendor in vendors:
            if vendor.supplier and vendor.erp_id and vendor.erp_id not in seen:
                seen[vendor.erp_id] = vendor
    return list(seen.values())


def seed_spend(*, tenant: Tenant, by: Actor) -> int:
    """FX rates, two category rules, the suppliers behind most vendors, and two years of lines. Returns the
    number of lines added (0 when the tenant already had spend)."""
    from sourcing.categories.models import Category
    from suppliers.models import Supplier
    from suppliers.services.master import supplier_upsert

    with tenant_scope(tenant):
        if SpendLine.objects.exists():
            return 0
        rng = random.Random(7)  # noqa: S311 - demo data, deterministic on purpose
        existing = set(FxRate.objects.values_list("currency", "rate_date"))
        FxRate.objects.bulk_create(
            FxRate(tenant=tenant, currency=c, rate_date=d, rate=r, source="Demo monthly rates")
            for c, d, r in fx_rates(rng)
            if (c, d) not in existing
        )
        categories = {c.code: c for c in Category.objects.all()}
        if not CategoryRule.objects.exists() and "510" in categories and "420" in categories:
            CategoryRule.objects.create(
                tenant=tenant,
                priority=10,
                field=RuleField.COST_CENTER,
                pattern="CC-LOGISTICS",
                category=categories["510"],
            )
            CategoryRule.objects.create(
                tenant=tenant, priority=20, field=RuleField.DESCRIPTION, pattern="carton", category=categories["420"]
            )
        for vendor in demo_suppliers():
            if not Supplier.objects.filter(external_id=vendor.erp_id).exists():
                country = (
                    "VN"
                    if "Hai Phong" in vendor.name
                    else "DE"
                    if "GmbH" in vendor.name
                    else "US"
                    if "Office Depot" in vendor.name
                    else "CN"
                )
                supplier_upsert(
                    tenant=tenant,
                    by=by,
                    fields=SupplierFields(
                        legal_name=vendor.name, local_name=vendor.local_name, external_id=vendor.erp_id, country=country
                    ),
                    allow_duplicates=True,
                )
        _supplier_categories(tenant=tenant, by=by, categories=categories)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CANONICAL_COLUMNS)
    writer.writerows(spend_rows())
    with tenant_scope(tenant):
        created = services.spend_import_create(
            tenant=tenant,
            by=by,
            upload=io.BytesIO(out.getvalue().encode("utf-8")),
            file_name="erp-invoice-lines-2024-12-to-2026-11.csv",
            source=ImportSource.COMMAND,
        )
    with tenant_scope(tenant):
        result = services.spend_import_run(tenant=tenant, by=by, import_id=created.pk)
    if result.error_count:
        raise RuntimeError(f"the demo spend file was rejected: {result.errors[:3]}")
    return result.lines_created

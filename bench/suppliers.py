"""Supplier benchmarks at BENCH_ROWS suppliers in one tenant (default 50,000):

list page   the rows a page of the supplier list shows (names, status, tier, owner, open risk flags,
            certificates expiring and expired, categories), first page and a page deep in the list (keyset),
            against a bare ``.values()`` of the same 50 rows in the same order plus a bare ``count()`` of the list
            (the page says "1–50 of N"; the next links carry the page's place, so a page deep in the list counts once);
API page    the rows a page of GET /api/v1/suppliers/ serializes, against a bare ``.values()`` of their columns;
            and, for reference, the whole page and the whole API request through the stack
duplicate   the check of one new supplier against all of them (median of 50, target < 200 ms)
clustering  grouping the whole base into probable duplicates (once, target well under a minute)
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

CITIES = [
    ("Ningbo", "宁波"),
    ("Yiwu", "义乌"),
    ("Shenzhen", "深圳"),
    ("Dongguan", "东莞"),
    ("Xiamen", "厦门"),
    ("Qingdao", "青岛"),
    ("Suzhou", "苏州"),
    ("Foshan", "佛山"),
    ("Taizhou", "台州"),
    ("Jinhua", "金华"),
]
GOODS = [
    ("Housewares", "家居用品"),
    ("Kitchenware", "厨具"),
    ("Textile", "纺织品"),
    ("Plastic Products", "塑料制品"),
    ("Hardware", "五金"),
    ("Electric Appliance", "电器"),
    ("Packaging", "包装材料"),
    ("Ceramics", "陶瓷"),
]
# Brand names as Chinese companies have them: two syllables (两个字), written in pinyin and in characters.
SYLLABLES = [
    ("hua", "华"),
    ("xin", "新"),
    ("tai", "泰"),
    ("long", "龙"),
    ("feng", "丰"),
    ("sheng", "盛"),
    ("kai", "凯"),
    ("rui", "瑞"),
    ("bao", "宝"),
    ("yong", "永"),
    ("hong", "宏"),
    ("lian", "联"),
    ("jin", "金"),
    ("fu", "富"),
    ("ming", "明"),
    ("hao", "昊"),
    ("zhong", "中"),
    ("wei", "威"),
    ("an", "安"),
    ("da", "达"),
    ("li", "利"),
    ("tian", "天"),
    ("yuan", "源"),
    ("dong", "东"),
    ("mei", "美"),
    ("jia", "佳"),
    ("heng", "恒"),
    ("ri", "日"),
    ("guang", "光"),
    ("xing", "兴"),
    ("chang", "昌"),
    ("sen", "森"),
    ("lin", "林"),
    ("yu", "宇"),
    ("hai", "海"),
    ("bo", "博"),
    ("cheng", "诚"),
    ("de", "德"),
    ("shun", "顺"),
    ("tong", "通"),
    ("ya", "雅"),
    ("hui", "辉"),
    ("qi", "奇"),
    ("rong", "荣"),
    ("wan", "万"),
    ("xiang", "祥"),
    ("yi", "义"),
    ("zhi", "志"),
    ("ke", "科"),
    ("pu", "普"),
    ("nuo", "诺"),
    ("ao", "奥"),
    ("ling", "凌"),
    ("shi", "世"),
    ("ju", "聚"),
    ("run", "润"),
]
DUPLICATE_EVERY = 100  # one supplier in a hundred is entered again, its English name written out in full


def paired_ms(baseline: Callable[[], object], fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians (ms) of ``baseline`` and ``fn``, timed in alternation, so a machine that slows down or speeds up
    during the run weighs on both alike and their ratio stays honest."""
    for _ in range(5):
        baseline(), fn()
    base: list[float] = []
    mine: list[float] = []
    for _ in range(repeat):
        for call, samples in ((baseline, base), (fn, mine)):
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
    return statistics.median(base) * 1000, statistics.median(mine) * 1000


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    for _ in range(5):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def seed(tenant: Any, rows: int) -> None:
    """``rows`` suppliers with their comparison keys, a tenth with a category, certificates and open flags."""
    import datetime

    from sourcing.categories.models import Category
    from sourcing.tenancy import tenant_scope
    from suppliers.models import Certification, RiskFlag, Supplier, SupplierCategory
    from suppliers.names import name_key, phone_key, website_key
    from suppliers.services.row_facts import row_facts_refresh_all

    rng = random.Random(5)  # benchmark data, deterministic on purpose
    with tenant_scope(tenant):
        have = Supplier.objects.count()
        if have >= rows:
            return
        category = Category.objects.get_or_create(tenant=tenant, code="110", defaults={"name": "Cookware"})[0]
        today = datetime.date.today()
        taken: set[tuple[int, ...]] = set()
        for start in range(have, rows, 2000):
            batch: list[Supplier] = []
            for i in range(start, min(start + 2000, rows)):
                if i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:
                    twin = batch[-1]
                    legal = twin.legal_name.replace("Co., Ltd.", "COMPANY LIMITED").upper()
                    local, website, phone = twin.local_name, "", ""
                else:
                    while True:
                        pick = (
                            rng.randrange(len(CITIES)),
                            rng.randrange(len(GOODS)),
                            *rng.sample(range(len(SYLLABLES)), 2),
                        )
                        if pick not in taken:
                            taken.add(pick)
                            break
                    (city, cn_city), (goods, cn_goods) = CITIES[pick[0]], GOODS[pick[1]]
                    (a, cn_a), (b, cn_b) = SYLLABLES[pick[2]], SYLLABLES[pick[3]]
                    brand = (a + b).capitalize()
                    legal = f"{city} {brand} {goods} Co., Ltd."
                    local = f"{cn_city}{cn_a}{cn_b}{cn_goods}有限公司"
                    website = f"www.{a}{b}-{goods.split()[0].lower()}-{city.lower()}.com"
                    phone = f"+86 574 {10000000 + i}"
                batch.append(
                    Supplier(
                        tenant=tenant,
                        legal_name=legal,
                        local_name=local,
                        status=rng.choice(["approved", "approved", "prospect", "in_qualification"]),
                        tier=rng.choice(["strategic", "core", "transactional"]),
                        country="CN",
                        province="Zhejiang",
                        city=legal.split()[0].title(),
                        website=website,
                        phone=phone,
                        external_id=f"V-{i:06d}",
                        name_key=name_key(legal),
                        local_name_key=name_key(local),
                        website_key=website_key(website),
                        phone_key=phone_key(phone),
                    )
                )
            made = Supplier.objects.bulk_create(batch)
            tenth = made[::10]
            SupplierCategory.objects.bulk_create(
                SupplierCategory(tenant=tenant, supplier=s, category=category) for s in tenth
            )
            Certification.objects.bulk_create(
                Certification(
                    tenant=tenant,
                    supplier=s,
                    cert_type="iso_9001",
                    valid_until=today + datetime.timedelta(days=rng.randint(-60, 400)),
                )
                for s in tenth
            )
            RiskFlag.objects.bulk_create(
                RiskFlag(tenant=tenant, supplier=s, kind="manual", title="Watch") for s in made[::25]
            )
        row_facts_refresh_all()  # what the services keep on each row, for rows written here in bulk


def run(
    settings: Any, connection: Any, tenant: Any, *, rows: int, repeat: int, as_runtime_role: Callable[[], None]
) -> None:
    from django.test import Client
    from django.utils import timezone

    from sourcing.actors import Actor
    from sourcing.models import Membership, User
    from sourcing.services import api_key_create
    from sourcing.tenancy import tenant_scope
    from suppliers.models import Supplier
    from suppliers.selectors import master as selectors
    from suppliers.selectors.duplicates import Probe, duplicate_candidates, supplier_clusters

    seed(tenant, rows)
    with tenant_scope(tenant):
        _key, raw_key = api_key_create(
            tenant=tenant, by=Actor.system("bench"), name=f"bench-{time.time_ns()}", scopes=["read"]
        )
        user = User.objects.filter(email="bench-buyer@bench.test").first() or User.objects.create_user(
            email="bench-buyer@bench.test", password=None
        )
        if not Membership.objects.filter(user=user).exists():
            Membership.objects.create(tenant=tenant, user=user, role="buyer")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    as_runtime_role()

    columns = [
        "id",
        "legal_name",
        "local_name",
        "status",
        "tier",
        "supplier_type",
        "country",
        "province",
        "city",
        "owner_id",
    ]
    with tenant_scope(tenant):
        middle = Supplier.objects.order_by("legal_name", "id").values_list("legal_name", "pk")[rows // 2]
        # the page reads the tenant's categories for its filter anyway; rows are named from that
        refs = selectors.category_refs(selectors.category_choices())
        members = selectors.members_by_id()  # and its members for the owner filter; owners are named from them

    def bare(after: Any = None) -> Callable[[], list[Any]]:
        def go() -> list[Any]:
            with tenant_scope(tenant):
                live = Supplier.objects.filter(merged_into__isnull=True)
                queryset = live.order_by("legal_name", "id")
                if after is not None:
                    name, pk = after
                    queryset = queryset.filter(legal_name__gte=name).exclude(legal_name=name, id__lte=pk)
                found = list(queryset.values(*columns)[:50])
                live.count()  # the page says "1–50 of N": counting the list is part of the floor
                return found

        return go

    def page(after: Any = None) -> Callable[[], list[Any]]:
        def go() -> list[Any]:
            with tenant_scope(tenant):
                # the list's own next links carry the page's place, as a person following them has it
                cursor = selectors.cursor_for(*after, start=rows // 2 + 2) if after is not None else None
                found = selectors.list_page(
                    selectors.supplier_list(), cursor, 50, members=members, refs=refs, today=timezone.localdate()
                )
                return found.rows

        return go

    browser = Client(HTTP_HOST="localhost")
    browser.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}", HTTP_HOST="localhost")

    def html() -> Any:
        response = browser.get(f"/t/{tenant.slug}/suppliers/")
        assert response.status_code == 200, response.status_code
        return response

    def api_list() -> Any:
        response = api.get("/api/v1/suppliers/")
        assert response.status_code == 200, response.content[:200]
        return response

    # The API's page: its queryset's rows (every column it serializes, the owner joined), newest first as its
    # cursor pages them, against a bare .values() of the same columns of the same rows.
    from suppliers.api.master import SupplierSerializer

    derived = {"owner_email", "open_risk_flags", "certificates_expiring", "certificates_expired", "display_name"}
    api_columns = [
        f"{name}_id" if name in {"owner", "merged_into"} else name
        for name in SupplierSerializer.Meta.fields
        if name not in derived
    ] + ["open_flag_count", "certificate_ends"]

    def api_bare() -> list[Any]:
        with tenant_scope(tenant):
            live = Supplier.objects.filter(merged_into__isnull=True)
            return list(live.order_by("-id").values(*api_columns)[:51])

    def api_rows() -> list[Any]:
        with tenant_scope(tenant):
            return list(selectors.supplier_list().order_by("-id")[:51])

    assert [r["id"] for r in bare()()] == [s.pk for s in page()()]
    assert [r["id"] for r in bare(middle)()] == [s.pk for s in page(middle)()]
    assert [r["id"] for r in api_bare()] == [s.pk for s in api_rows()]
    first = paired_ms(bare(), page(), repeat)
    deep = paired_ms(bare(middle), page(middle), repeat)
    api_page = paired_ms(api_bare, api_rows, repeat)
    whole_page, whole_api = median_ms(html, repeat // 4), median_ms(api_list, repeat // 4)
    print(f"supplier list, one page of 50 out of {rows} suppliers (median of {repeat}):")
    for label, (values_ms, rows_ms) in ((" first page", first), (f" page {rows // 100}", deep)):
        print(
            f"  {label:<12} .values() + count() {values_ms:7.2f} ms   list page rows {rows_ms:7.2f} ms"
            f"   {rows_ms / values_ms:5.2f}x   target <= 2x"
        )
    print(
        f"  API page     .values() {api_page[0]:7.2f} ms   API page rows  {api_page[1]:7.2f} ms"
        f"   {api_page[1] / api_page[0]:5.2f}x   target <= 2x"
    )
    print(
        f"  whole request, for reference: page {whole_page:7.2f} ms ({whole_page / first[0]:5.1f}x)"
        f"   API {whole_api:7.2f} ms ({whole_api / first[0]:5.1f}x)"
    )

    probes = [
        Probe.of(legal_name="NINGBO HUAXIN HOUSEWARES COMPANY LIMITED"),
        Probe.of(legal_name="Brand New Factory Co., Ltd.", local_name="全新工厂有限公司"),
        Probe.of(legal_name="Xiamen Ruifeng Ceramics", website="www.ruifeng-xiamen.com"),
    ]
    n = iter(range(10**9))

    def check() -> Any:
        with tenant_scope(tenant):
            return duplicate_candidates(probes[next(n) % len(probes)])

    check_ms = median_ms(check, 50)
    print(f"  duplicate check of one new supplier against {rows}: {check_ms:7.1f} ms median   target < 200 ms")
    start = time.perf_counter()
    with tenant_scope(tenant):
        groups = supplier_clusters()
    seconds = time.perf_counter() - start
    print(
        f"  clustering all {rows} suppliers: {seconds:6.1f} s, {len(groups)} groups"
        f" ({rows // DUPLICATE_EVERY} duplicates planted)   target well under 60 s"
    )

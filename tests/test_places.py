"""Places in the reader's language (sourcing.places, pure), and the partner pages that show them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sourcing import places
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.services.master import supplier_create
from suppliers.services.sites_contacts import site_save
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM


def test_all_34_provincial_level_divisions_have_their_chinese_names() -> None:
    assert len(places.PROVINCES) == 34
    assert len(set(places.PROVINCES.values())) == 34


@pytest.mark.parametrize(
    ("city", "province", "country", "chinese", "english"),
    [
        ("Ningbo", "Zhejiang", "CN", "浙江宁波", "Ningbo, Zhejiang, CN"),
        ("Yiwu", "Zhejiang Province", "CN", "浙江义乌", "Yiwu, Zhejiang Province, CN"),
        ("Shenzhen", "Guangdong", "CN", "广东深圳", "Shenzhen, Guangdong, CN"),
        ("Dongguan", "guangdong", "cn", "广东东莞", "Dongguan, guangdong, cn"),
        ("Xiamen", "Fujian", "CN", "福建厦门", "Xiamen, Fujian, CN"),
        ("Qingdao", "Shandong", "CN", "山东青岛", "Qingdao, Shandong, CN"),
        ("Taizhou", "Zhejiang", "CN", "浙江台州", "Taizhou, Zhejiang, CN"),
        ("Taizhou", "Jiangsu", "CN", "江苏泰州", "Taizhou, Jiangsu, CN"),  # same pinyin, another city
        ("Suzhou", "Jiangsu", "CN", "江苏苏州", "Suzhou, Jiangsu, CN"),
        ("Suzhou", "Anhui", "CN", "安徽宿州", "Suzhou, Anhui, CN"),
        ("Fuzhou", "Jiangxi", "CN", "江西抚州", "Fuzhou, Jiangxi, CN"),
        ("Shanghai", "Shanghai", "CN", "上海", "Shanghai, Shanghai, CN"),  # a municipality once
        ("Putian", "Fujian", "CN", "福建莆田", "Putian, Fujian, CN"),
        (
            "Kashgar",
            "Xinjiang Uyghur Autonomous Region",
            "CN",
            "新疆喀什",
            "Kashgar, Xinjiang Uyghur Autonomous Region, CN",
        ),
        ("", "Inner Mongolia", "CN", "内蒙古", "Inner Mongolia, CN"),
        ("", "Xizang", "CN", "西藏", "Xizang, CN"),
        ("Beilun", "Zhejiang", "CN", "浙江 Beilun", "Beilun, Zhejiang, CN"),  # unknown city: as stored
        ("宁波", "浙江省", "CN", "浙江省宁波", "宁波, 浙江省, CN"),  # stored in Chinese already
        ("Binh Duong", "", "VN", "越南 Binh Duong", "Binh Duong, VN"),
        ("Monterrey", "Nuevo León", "MX", "墨西哥 Nuevo León Monterrey", "Monterrey, Nuevo León, MX"),
        ("Busan", "", "KR", "韩国 Busan", "Busan, KR"),
        ("", "", "US", "美国", "US"),
        ("Kowloon", "", "HK", "中国香港 Kowloon", "Kowloon, HK"),
        ("", "", "", "", ""),
    ],
)
def test_locations(city: str, province: str, country: str, chinese: str, english: str) -> None:
    assert places.location(city=city, province=province, country=country, language="zh-hans") == chinese
    assert places.location(city=city, province=province, country=country, language="en") == english


def test_the_portal_reads_places_in_chinese_to_a_chinese_reader(tenant: Any, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        supplier = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="Ningbo Everbright", country="CN", province="Zhejiang", city="Ningbo"),
        )
        site_save(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Plant 2", province="Guangdong", city="Dongguan"
        )
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    client = Client()
    client.force_login(agent.user)
    english_home = client.get("/t/acme/portal/").content.decode()
    agent.user.language = "zh-hans"
    agent.user.save(update_fields=["language"])
    home = client.get("/t/acme/portal/").content.decode()
    detail = client.get(f"/t/acme/portal/suppliers/{supplier.pk}/").content.decode()
    assert "Ningbo, Zhejiang, CN" in english_home
    assert "浙江宁波" in home and "Ningbo, Zhejiang" not in home
    assert "浙江宁波" in detail and "广东东莞" in detail


def test_the_dashboard_names_countries_in_chinese_to_a_chinese_reader(tenant: Any, make_member: Any) -> None:
    with tenant_scope(tenant):
        supplier_create(
            tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Binh Duong Bamboo JSC", country="VN")
        )
    member = make_member(tenant, Role.ADMIN)
    client = Client()
    client.force_login(member.user)
    assert '<span class="bar-label">VN</span>' in client.get("/t/acme/dashboard/").content.decode()
    member.user.language = "zh-hans"
    member.user.save(update_fields=["language"])
    assert '<span class="bar-label">越南</span>' in client.get("/t/acme/dashboard/").content.decode()

"""Places in the reader's language: a city, province and country as Chinese readers write them, largest first
and without separators ("浙江宁波" for Ningbo, Zhejiang, CN; the country is left out for China), and as English
readers write them ("Ningbo, Zhejiang, CN"). Pure: no ORM.

Provinces are the 34 provincial-level divisions of GB/T 2260 (with Taiwan, Hong Kong and Macao); cities are the
common sourcing cities. A city or province the tables do not know is shown as it was stored; countries take their
Chinese names from ISO 3166 (pycountry's zh_CN catalogue), with the forms Chinese business writing uses."""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import pycountry

PROVINCES: dict[str, str] = {
    # municipalities
    "beijing": "北京",
    "tianjin": "天津",
    "shanghai": "上海",
    "chongqing": "重庆",
    # provinces
    "hebei": "河北",
    "shanxi": "山西",
    "liaoning": "辽宁",
    "jilin": "吉林",
    "heilongjiang": "黑龙江",
    "jiangsu": "江苏",
    "zhejiang": "浙江",
    "anhui": "安徽",
    "fujian": "福建",
    "jiangxi": "江西",
    "shandong": "山东",
    "henan": "河南",
    "hubei": "湖北",
    "hunan": "湖南",
    "guangdong": "广东",
    "hainan": "海南",
    "sichuan": "四川",
    "guizhou": "贵州",
    "yunnan": "云南",
    "shaanxi": "陕西",
    "gansu": "甘肃",
    "qinghai": "青海",
    "taiwan": "台湾",
    # autonomous regions
    "innermongolia": "内蒙古",
    "guangxi": "广西",
    "tibet": "西藏",
    "ningxia": "宁夏",
    "xinjiang": "新疆",
    # special administrative regions
    "hongkong": "香港",
    "macao": "澳门",
}

PROVINCE_ALIASES: dict[str, str] = {
    "neimongol": "innermongolia",
    "neimenggu": "innermongolia",
    "xizang": "tibet",
    "macau": "macao",
    "guangxizhuang": "guangxi",
    "ningxiahui": "ningxia",
    "xinjianguyghur": "xinjiang",
    "xinjianguygur": "xinjiang",
}

CITIES: dict[str, str] = {
    "ningbo": "宁波",
    "yiwu": "义乌",
    "shenzhen": "深圳",
    "dongguan": "东莞",
    "guangzhou": "广州",
    "foshan": "佛山",
    "xiamen": "厦门",
    "qingdao": "青岛",
    "suzhou": "苏州",
    "taizhou": "台州",
    "jinhua": "金华",
    "wenzhou": "温州",
    "hangzhou": "杭州",
    "shanghai": "上海",
    "tianjin": "天津",
    "beijing": "北京",
    "chongqing": "重庆",
    "zhongshan": "中山",
    "jiangmen": "江门",
    "shantou": "汕头",
    "chaozhou": "潮州",
    "jieyang": "揭阳",
    "huizhou": "惠州",
    "zhuhai": "珠海",
    "zhaoqing": "肇庆",
    "quanzhou": "泉州",
    "putian": "莆田",
    "jinjiang": "晋江",
    "fuzhou": "福州",
    "zhangzhou": "漳州",
    "shaoxing": "绍兴",
    "huzhou": "湖州",
    "jiaxing": "嘉兴",
    "cixi": "慈溪",
    "yuyao": "余姚",
    "yongkang": "永康",
    "wuxi": "无锡",
    "changzhou": "常州",
    "nantong": "南通",
    "nanjing": "南京",
    "kunshan": "昆山",
    "changshu": "常熟",
    "jinan": "济南",
    "yantai": "烟台",
    "weifang": "潍坊",
    "linyi": "临沂",
    "weihai": "威海",
    "zibo": "淄博",
    "dalian": "大连",
    "shenyang": "沈阳",
    "wuhan": "武汉",
    "chengdu": "成都",
    "xian": "西安",
    "hefei": "合肥",
    "changsha": "长沙",
    "zhengzhou": "郑州",
    "nanchang": "南昌",
    "kunming": "昆明",
    "nanning": "南宁",
    "haikou": "海口",
    "shijiazhuang": "石家庄",
    "baoding": "保定",
    "urumqi": "乌鲁木齐",
    "kashgar": "喀什",
    "kashi": "喀什",
    "hotan": "和田",
    "aksu": "阿克苏",
    "hongkong": "香港",
    "macao": "澳门",
    "macau": "澳门",
}

# The same pinyin names a different city in another province.
CITIES_IN_PROVINCE: dict[tuple[str, str], str] = {
    ("taizhou", "jiangsu"): "泰州",
    ("suzhou", "anhui"): "宿州",
    ("fuzhou", "jiangxi"): "抚州",
}

# Chinese business writing, where the ISO catalogue's names differ.
COUNTRIES: dict[str, str] = {
    "KR": "韩国",
    "KP": "朝鲜",
    "TW": "中国台湾",
    "HK": "中国香港",
    "MO": "中国澳门",
    "BD": "孟加拉国",
}

_SUFFIXES = re.compile(
    r"(province|autonomousregion|specialadministrativeregion|sar|municipality|city|shi|sheng|zizhiqu|prefecture)$"
)
_SEPARATORS = re.compile(r"[\s\-_.,'\u2019]+")


def _key(text: str) -> str:
    key = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "").casefold())
    stripped = _SUFFIXES.sub("", key)
    return stripped or key


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def province_key(province: str) -> str | None:
    key = _key(province)
    key = PROVINCE_ALIASES.get(key, key)
    return key if key in PROVINCES else None


def province_zh(province: str) -> str:
    """The province's Chinese name ("浙江"), or the text as stored when the table does not know it."""
    province = (province or "").strip()
    key = province_key(province)
    return PROVINCES[key] if key else province


def city_zh(city: str, province: str = "") -> str:
    """The city's Chinese name ("宁波"), told apart by province where a name is shared; else as stored."""
    city = (city or "").strip()
    key = _key(city)
    return CITIES_IN_PROVINCE.get((key, province_key(province) or ""), CITIES.get(key, city))


@cache
def _iso_zh() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


def country_zh(code: str) -> str:
    """A country's Chinese name from its ISO 3166 alpha-2 code, or the code when unknown."""
    code = (code or "").strip().upper()
    if code in COUNTRIES:
        return COUNTRIES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return _iso_zh().gettext(country.name) if country is not None else code


def _join_zh(parts: list[str]) -> str:
    """Chinese parts run together; a part left in Latin letters keeps a space on each side."""
    text = ""
    for part in parts:
        if text and not (_is_chinese(part[:1]) and _is_chinese(text[-1:])):
            text += " "
        text += part
    return text


def location_zh(*, city: str = "", province: str = "", country: str = "") -> str:
    """ "浙江宁波" for Ningbo, Zhejiang, CN: country (left out for China), province, city; a city that is its
    own province (Shanghai) once."""
    parts: list[str] = []
    country = (country or "").strip().upper()
    if country and country != "CN":
        parts.append(country_zh(country))
    if province and province.strip():
        parts.append(province_zh(province))
    if city and city.strip():
        name = city_zh(city, province)
        if not parts or parts[-1] != name:
            parts.append(name)
    return _join_zh(parts)


def location_en(*, city: str = "", province: str = "", country: str = "") -> str:
    """ "Ningbo, Zhejiang, CN": city, province, country, as stored."""
    return ", ".join(p.strip() for p in (city, province, country) if p and p.strip())


def location(*, city: str = "", province: str = "", country: str = "", language: str = "en") -> str:
    """The place in the reader's language (a language code such as "zh-hans" or "en")."""
    if (language or "").lower().startswith("zh"):
        return location_zh(city=city, province=province, country=country)
    return location_en(city=city, province=province, country=country)

"""Company names reduced to what identifies the company, for matching vendors and finding duplicates.

Pure functions, no ORM. ``name_key`` folds width and case, drops punctuation, and strips legal-form words
(English "Co., Ltd.", "Company Limited", "Inc."…, Chinese 有限公司, 股份有限公司, 有限责任公司…) from the end,
so "Ningbo Everbright Housewares Co., Ltd." and "NINGBO EVERBRIGHT HOUSEWARES COMPANY LIMITED" share a key,
as do 宁波永辉家居用品有限公司 and 宁波永辉家居用品股份有限公司. Fuzzy scoring between keys is left to a
matching library; this only decides what is compared.
"""

from __future__ import annotations

import re
import unicodedata

# Longest first, so "股份有限公司" goes before "有限公司" and "company limited" before "limited".
_CHINESE_FORMS = sorted(["有限责任公司", "股份有限公司", "有限公司", "集团公司", "公司"], key=len, reverse=True)
_ENGLISH_FORMS = [
    ("company", "limited"),
    ("co", "limited"),
    ("co", "ltd"),
    ("corp", "ltd"),
    ("pte", "ltd"),
    ("pvt", "ltd"),
    ("private", "limited"),
    ("s", "a", "de", "c", "v"),
    ("sa", "de", "cv"),
    ("limited",),
    ("ltd",),
    ("incorporated",),
    ("inc",),
    ("corporation",),
    ("corp",),
    ("company",),
    ("co",),
    ("llc",),
    ("l", "l", "c"),
    ("gmbh",),
    ("plc",),
    ("jsc",),
    ("ag",),
]
_ENGLISH_FORMS.sort(key=len, reverse=True)
_REGION_TAGS = {"hk", "hong kong", "香港"}
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
# Chinese is written without spaces between words: "宁波 永辉 家居用品" is 宁波永辉家居用品.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def display_name(legal_name: str, local_name: str, *, chinese_first: bool = False) -> str:
    """The name a supplier is shown by everywhere: its English legal name, or, while it has none (an agent may
    propose a supplier from its business licence, 营业执照, alone), its registered Chinese name. A Chinese reader
    (``chinese_first``) reads the registered Chinese name first, when there is one."""
    legal, local = (legal_name or "").strip(), (local_name or "").strip()
    return (local or legal) if chinese_first else (legal or local)


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name or "").casefold()


def _strip_region_tag(text: str) -> str:
    """ "Foo Trading (HK) Co., Ltd." and "Foo Trading (Hong Kong) Co Ltd" → without the region tag."""

    def drop(match: re.Match[str]) -> str:
        return " " if match.group(1).strip() in _REGION_TAGS else match.group(0)

    return re.sub(r"\(([^)]*)\)", drop, text)


def name_key(name: str) -> str:
    """The part of a company name that identifies it; '' when nothing is left."""
    text = _strip_region_tag(_fold(name))
    text = _CJK_SPACE.sub("", _PUNCTUATION.sub(" ", text))
    words = text.split()
    while words:
        form_len = _trailing_form(words)
        if form_len is None:
            break
        if form_len == 0:  # the whole remaining name is a legal form: keep it rather than nothing
            break
        if form_len > 0:
            words = words[:-form_len]
        else:
            words[-1] = words[-1][:form_len]
    return " ".join(words)


def _trailing_form(words: list[str]) -> int | None:
    """How the longest legal form at the end can be cut: k > 0 drops k words, -n drops n characters of the
    last word (Chinese forms are written without a space), 0 means the name is nothing but the form, and
    None means there is no form at the end."""
    last = words[-1]
    for form in _CHINESE_FORMS:
        if last.endswith(form):
            return -len(form) if len(last) > len(form) else (0 if len(words) == 1 else 1)
    for english in _ENGLISH_FORMS:
        if tuple(words[-len(english) :]) == english:
            return len(english) if len(words) > len(english) else 0
    return None


def website_key(url: str) -> str:
    """The host of a website without scheme, ``www.``, port or path: "https://www.nbeb.com.cn/en" → "nbeb.com.cn"."""
    text = _fold(url).strip()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    host = re.split(r"[/?#:]", text, maxsplit=1)[0].strip(".")
    return host.removeprefix("www.")


def phone_key(phone: str) -> str:
    """The digits of a phone number without the international prefix or China's country code and trunk zero,
    so "+86 574-8765 4321", "0086 574 87654321" and "0574-87654321" share a key. Under 7 digits: ''."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    digits = digits.removeprefix("00")
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= 7 else ""

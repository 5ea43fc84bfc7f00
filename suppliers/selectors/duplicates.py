"""Possible duplicates of a supplier: the ones it shares an identifier with (credit code, website, phone, or an
identical name key in English or Chinese), then the ones whose names are alike (rapidfuzz over the tenant's
name keys, the same scoring the spend's vendor clusters use). Clustering the whole base uses blocking, never
all pairs (``suppliers.name_clusters``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from sourcing.tenancy import current_tenant
from suppliers import name_clusters as clustering
from suppliers.identifiers import InvalidIdentifier, validate_uscc
from suppliers.models import NameIndexVersion, Supplier
from suppliers.names import name_key, phone_key, website_key

SIMILAR = 88  # name score from which two suppliers are shown as possibly the same company


@dataclass
class Candidate:
    supplier: Supplier
    score: int
    reasons: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # the probe's fields that matched exactly


@dataclass(frozen=True)
class Probe:
    """What a new or edited supplier is known by, reduced to its comparison keys."""

    name: str = ""
    local_name: str = ""
    credit_code: str = ""
    website: str = ""
    phone: str = ""

    @classmethod
    def of(
        cls, *, legal_name: str = "", local_name: str = "", credit_code: str = "", website: str = "", phone: str = ""
    ):  # type: ignore[no-untyped-def]
        try:
            code = validate_uscc(credit_code) if credit_code else ""
        except InvalidIdentifier:
            code = ""
        return cls(name_key(legal_name), name_key(local_name), code, website_key(website), phone_key(phone))


def _live() -> Any:
    return Supplier.objects.filter(merged_into__isnull=True)


def _sorted_words(key: str) -> str:
    """A name key with its words in order, so plain similarity of two of them is word-order-insensitive
    similarity of the names (what rapidfuzz's token_sort_ratio computes, without sorting 50,000 keys a check)."""
    return " ".join(sorted(key.split()))


# Each process keeps each tenant's name keys (reading 50,000 rows is most of what a check would otherwise
# cost), stamped with the tenant's ``NameIndexVersion``: every service that changes a supplier's names or whether
# it is live bumps it in its own transaction (``suppliers.services.master.names_changed``), so the version a
# check reads changes exactly when committed names have. Reading it is one primary-key look-up; the bump holds
# the tenant's row until its transaction commits, which orders supplier writes within a tenant (they are few
# and short).
_INDEX: dict[Any, tuple[int, list[Any], list[str]]] = {}
_INDEX_LOCK = threading.Lock()


def names_version() -> int:
    """The current tenant's version of its supplier names (see above)."""
    return NameIndexVersion.objects.values_list("value", flat=True).first() or 0


def _name_index() -> tuple[list[Any], list[str]]:
    """(supplier ids, their sorted-word name keys), English and local names both, of the current tenant."""
    tenant = current_tenant()
    # The stamp is read before the keys: a change committed in between leaves newer keys under an older stamp,
    # which the next check reads again; never older keys under a newer stamp.
    stamp = names_version()
    cached = _INDEX.get(tenant.pk)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    ids: list[Any] = []
    keys: list[str] = []
    for pk, key, local in _live().values_list("pk", "name_key", "local_name_key").iterator(chunk_size=5000):
        for k in (key, local):
            if k:
                ids.append(pk)
                keys.append(_sorted_words(k))
    with _INDEX_LOCK:
        _INDEX[tenant.pk] = (stamp, ids, keys)
    return ids, keys


def duplicate_candidates(probe: Probe, *, exclude_id: Any = None, limit: int = 5) -> list[Candidate]:
    """The suppliers most probably the same company as ``probe``, best first (at most ``limit``)."""
    found: dict[Any, Candidate] = {}
    exact = Q()
    if probe.credit_code:
        exact |= Q(credit_code=probe.credit_code)
    if probe.website:
        exact |= Q(website_key=probe.website)
    if probe.phone:
        exact |= Q(phone_key=probe.phone)
    names = [k for k in (probe.name, probe.local_name) if k]
    if names:
        exact |= Q(name_key__in=names) | Q(local_name_key__in=names)
    if exact:
        for supplier in _live().filter(exact).exclude(pk=exclude_id)[:50]:
            reasons, fields = [], []
            if probe.credit_code and supplier.credit_code == probe.credit_code:
                reasons.append(_("same credit code"))
                fields.append("credit_code")
            if probe.website and supplier.website_key == probe.website:
                reasons.append(_("same website"))
                fields.append("website")
            if probe.phone and supplier.phone_key == probe.phone:
                reasons.append(_("same phone"))
                fields.append("phone")
            if {supplier.name_key, supplier.local_name_key} & set(names):
                reasons.append(_("same name"))
                fields.append("name")
            found[supplier.pk] = Candidate(supplier, 100, reasons, fields)
    if names:
        ids, keys = _name_index()
        scores: dict[Any, int] = {}
        for probe_key in names:
            for _key, score, at in process.extract(
                _sorted_words(probe_key), keys, scorer=fuzz.ratio, limit=limit * 2, score_cutoff=SIMILAR
            ):
                pk = ids[at]
                if pk != exclude_id and pk not in found:
                    scores[pk] = max(scores.get(pk, 0), int(score))
        if scores:
            for supplier in _live().filter(pk__in=list(scores)):
                score = scores[supplier.pk]
                found[supplier.pk] = Candidate(supplier, score, [_("similar name (%(score)d%%)") % {"score": score}])
    ranked = sorted(found.values(), key=lambda c: (-c.score, -len(c.reasons), c.supplier.legal_name))
    return ranked[:limit]


def name_score(a: tuple[str, str], b: tuple[str, str]) -> int:
    """How alike two suppliers' names are, 0-100, from their (English key, local key): every name both have
    must agree, so "Huaxin" and "Huaxing", one letter apart in pinyin, are told apart by 华新 and 华兴; two
    suppliers with no name in the same script are not compared."""
    scores = [clustering.score(x, y) for x, y in zip(a, b, strict=True) if x and y]
    return min(scores) if scores else 0


def supplier_clusters(*, threshold: int = clustering.THRESHOLD) -> list[tuple[list[Supplier], int]]:
    """Groups of suppliers that are probably one company, across the whole base, best first: names alike
    (``name_score``, over candidate pairs blocked on rare tokens by ``suppliers.name_clusters``) or an
    identifier in common (credit code, website, phone), which joins a group as surely as an identical name."""
    rows = list(_live().values_list("pk", "name_key", "local_name_key", "credit_code", "website_key", "phone_key"))
    names = {str(pk): (key, local) for pk, key, local, *_ids in rows}
    records = [clustering.Record(sid, k) for sid, pair in names.items() for k in pair if k]
    parent: dict[str, str] = {}
    score: dict[str, int] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(ids: list[str], best: int) -> None:
        roots = {find(i) for i in ids}
        root = min(roots)
        top = max([best, *(score.pop(r, 0) for r in roots)])
        for r in roots:
            parent[r] = root
        score[root] = top

    compared: set[tuple[str, str]] = set()
    for i, j in clustering.candidate_pairs(records):
        a, b = sorted((records[i].id, records[j].id))
        if a == b or (a, b) in compared:
            continue
        compared.add((a, b))
        similarity = name_score(names[a], names[b])
        if similarity >= threshold:
            join([a, b], similarity)
    sharing: dict[tuple[int, str], list[str]] = {}
    for pk, _key, _local, *identifiers in rows:
        for n, value in enumerate(identifiers):
            if value:
                sharing.setdefault((n, value), []).append(str(pk))
    for ids in sharing.values():
        if len(ids) > 1:
            join(ids, 100)
    members: dict[str, list[str]] = {}
    for sid in list(parent):
        members.setdefault(find(sid), []).append(sid)
    groups = [(sorted(ids), score.get(root, 0)) for root, ids in members.items() if len(ids) > 1]
    by_id = {str(s.pk): s for s in _live().filter(pk__in=[i for ids, _s in groups for i in ids])}
    result = [([by_id[i] for i in ids if i in by_id], best) for ids, best in groups]
    return sorted(result, key=lambda g: (-g[1], g[0][0].legal_name if g[0] else ""))

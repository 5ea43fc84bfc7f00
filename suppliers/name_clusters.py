"""Finding records that are probably the same company: pure Python, no ORM.

Names are compared as company-name keys (suppliers/names.py: width and case folded, punctuation and English
and Chinese legal forms gone). Candidate pairs come from blocking on shared tokens (words of three letters or
more, and pairs of consecutive Chinese characters): each record joins the blocks of its rarest few, and a
token so common that it says nothing joins none. The pairs are scored with rapidfuzz and joined into
clusters. Identical keys always pair, with a score of 100.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

THRESHOLD = 90
# A token more records share than this says nothing about which company a name is ("ningbo", "housewares",
# 家居): it pairs nothing, whatever the size of the base (identical names still pair).
MAX_BLOCK = 100
_WORD = re.compile(r"[a-z0-9]{3,}")
_CJK = re.compile(r"[\u3400-\u9fff]+")


@dataclass(frozen=True)
class Record:
    """One name of a company. A company with several names (English and Chinese) has several records with
    the same id."""

    id: str
    key: str  # the company-name key
    group: str = ""  # records with the same non-empty group are one company already (e.g. the same supplier)


@dataclass
class Cluster:
    ids: list[str]
    score: int  # the best pair score inside the cluster


def tokens(key: str) -> set[str]:
    found = set(_WORD.findall(key))
    for run in _CJK.findall(key):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            found.add(run)
    return found


def score(a: str, b: str) -> int:
    """How alike two name keys are, 0-100: the better of plain and word-order-insensitive similarity."""
    if a == b:
        return 100
    return int(max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)))


def candidate_pairs(
    records: Sequence[Record], *, max_block: int | None = None, per_record: int = 3
) -> set[tuple[int, int]]:
    """Index pairs that share one of their ``per_record`` rarest tokens (held by at most ``max_block``
    records, ``MAX_BLOCK`` by default), or an identical key. Two names of one company share nearly all their
    tokens, so they share their rarest ones too; a common word ("housewares", 宁波) pairs nothing on its own.
    The work grows with the records times the size of their rarest blocks, not with the square of the base."""
    limit = max_block or MAX_BLOCK
    token_sets = [tokens(record.key) for record in records]
    frequency = Counter(token for found in token_sets for token in found)
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        blocks["=" + record.key].append(i)
        usable = sorted((t for t in token_sets[i] if 2 <= frequency[t] <= limit), key=lambda t: (frequency[t], t))
        for token in usable[:per_record]:
            blocks[token].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pairs.add((members[x], members[y]))
    return pairs


def clusters(records: Sequence[Record], *, threshold: int = THRESHOLD) -> list[Cluster]:
    """Groups of two or more records whose names score at least ``threshold`` pairwise (transitively),
    best-scoring first. Records of the same group are not paired with each other."""
    parent = list(range(len(records)))
    best: dict[int, int] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[str, int] = {}
    for i, record in enumerate(records):  # the names of one company belong together from the start
        if record.id in first_of:
            parent[find(i)] = find(first_of[record.id])
        else:
            first_of[record.id] = i
    for i, j in candidate_pairs(records):
        a, b = records[i], records[j]
        if a.id == b.id or (a.group and a.group == b.group):
            continue
        s = score(a.key, b.key)
        if s < threshold:
            continue
        root_i, root_j = find(i), find(j)
        merged_best = max(s, best.pop(root_i, 0), best.pop(root_j, 0) if root_j != root_i else 0)
        parent[root_j] = root_i
        best[root_i] = merged_best
    groups: dict[int, set[str]] = defaultdict(set)
    for i, record in enumerate(records):
        groups[find(i)].add(record.id)
    found = [Cluster(sorted(ids), best.get(root, 0)) for root, ids in groups.items() if len(ids) > 1]
    return sorted(found, key=lambda c: (-c.score, c.ids))


def best_matches(key: str, choices: Mapping[str, str], *, limit: int = 3, cutoff: int = 70) -> list[tuple[str, int]]:
    """The ids of the ``choices`` (id -> key) whose keys are most like ``key``, best first, with their scores."""
    found = process.extract(key, choices, scorer=fuzz.token_sort_ratio, limit=limit, score_cutoff=cutoff)
    return [(cid, int(s)) for _key, s, cid in found]

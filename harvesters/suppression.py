"""Small-count suppression for published tables of counts, with complementary suppression.

A table of counts is published together with totals: a commune's count is part of its
district's, the district's of the province's, and the counts of men, women and "unknown"
add up to the "all" count of the same place. Such a table is described here as *cells*
(any hashable key → a count; a key not given counts 0) and *relations* (``Relation``: a
total cell and the cells that add up to it).

The rules (``protect``):

1. Primary suppression: every count from 1 to k−1 is suppressed.
2. Complementary suppression: a relation with exactly one suppressed member would give that
   member back by subtraction (total − the published parts, or the sum of the parts), so a
   second member is suppressed too — the smallest positive part not yet suppressed (a part
   of 0 only when no positive one is left; the total when there is no other part). Repeated
   over all relations (across the place hierarchy and the sex dimension alike) until no
   relation has exactly one suppressed member.
3. Audit: the published relations are a system of linear equations in the suppressed cells.
   A pattern where every relation has 0 or ≥ 2 suppressed members can still pin a cell down
   through a combination of several relations (a "bridge" between two groups of
   suppressions). ``determined`` finds every suppressed cell whose value the system fixes
   (the cell does not move along the null space of the equations); each such cell gets one
   more suppressed neighbour and rules 2–3 run again, until no suppressed cell is
   determined. The suppressed set only grows, so this ends.

Nothing here knows about communes or civil registration; ``civil_registry.py`` builds the
cells and relations. Pure Python plus numpy; no CKAN.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np

__all__ = ["Relation", "protect", "primary", "single_suppressions", "determined", "DEFAULT_MIN_COUNT"]

DEFAULT_MIN_COUNT = 5

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """``total`` = sum of ``parts`` (all of them published cells, or implicit zeros)."""
    total: Key
    parts: tuple[Key, ...]

    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def primary(values: Mapping[Key, int], k: int) -> set[Key]:
    """Cells whose count is from 1 to k−1."""
    return {key for key, value in values.items() if 0 < value < k}


def single_suppressions(relations: Iterable[Relation], suppressed: set[Key]) -> list[Relation]:
    """Relations with exactly one suppressed member: that member can be recomputed."""
    return [r for r in relations if sum(1 for m in r.members() if m in suppressed) == 1]


def _order(values: Mapping[Key, int], position: dict[Key, int]):
    def key(cell: Key):
        value = values.get(cell, 0)
        # Smallest positive first (a zero hides little), then stable by first appearance.
        return (value == 0, value, position.get(cell, 0))
    return key


def _complement(relation: Relation, suppressed: set[Key], values: Mapping[Key, int],
                position: dict[Key, int]) -> Key | None:
    open_parts = [p for p in relation.parts if p not in suppressed]
    if open_parts:
        return min(open_parts, key=_order(values, position))
    if relation.total not in suppressed:
        return relation.total
    return None


def _complete_relations(values: Mapping[Key, int], relations: Sequence[Relation], suppressed: set[Key],
                        position: dict[Key, int]) -> None:
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if sum(1 for m in relation.members() if m in suppressed) == 1:
                extra = _complement(relation, suppressed, values, position)
                if extra is not None:
                    suppressed.add(extra)
                    changed = True


def determined(relations: Sequence[Relation], suppressed: set[Key], tolerance: float = 1e-10) -> set[Key]:
    """Suppressed cells whose value follows from the published cells through the relations
    (any linear combination of them, not only one subtraction)."""
    variables = sorted(suppressed, key=repr)
    if not variables:
        return set()
    index = {key: i for i, key in enumerate(variables)}
    rows = []
    for relation in relations:
        row = np.zeros(len(variables))
        touched = False
        if relation.total in index:
            row[index[relation.total]] += 1.0
            touched = True
        for part in relation.parts:
            if part in index:
                row[index[part]] -= 1.0
                touched = True
        if touched:
            rows.append(row)
    if not rows:
        return set()
    matrix = np.array(rows)
    # A cell is fixed when its unit vector lies in the row space of the equations (some
    # combination of published relations isolates it); equivalently it does not move along
    # the null space. With an orthonormal basis V of the row space, that is |V e_i| = 1.
    # V comes from the eigenvectors of the (small, symmetric) Gram matrix A·Aᵀ: V = Aᵀ·U·Λ^−½
    # — several times cheaper than an SVD of A when the processors are busy.
    values, vectors = np.linalg.eigh(matrix @ matrix.T)
    # Eigenvalues are squared singular values: a relative cut at 1e-10 keeps every genuine
    # direction of these small-integer systems and drops rounding noise (≈ 1e-13).
    keep = values > tolerance * max(values.max(), 1.0)
    basis = (matrix.T @ vectors[:, keep]) / np.sqrt(values[keep])
    weight = (basis ** 2).sum(axis=1)
    return {variables[i] for i in np.nonzero(weight > 1 - 1e-7)[0]}


def protect(values: Mapping[Key, int], relations: Sequence[Relation], k: int = DEFAULT_MIN_COUNT) -> set[Key]:
    """The cells to publish as suppressed: primary ones (1..k−1) and their complements, such
    that no suppressed cell can be recomputed from the published cells and relations."""
    if k < 2:
        return set()
    position: dict[Key, int] = {}
    for relation in relations:
        for member in relation.members():
            position.setdefault(member, len(position))
    for key in values:
        position.setdefault(key, len(position))
    suppressed = primary(values, k)
    if not suppressed:
        return suppressed
    while True:
        _complete_relations(values, relations, suppressed, position)
        fixed = determined(relations, suppressed)
        if not fixed:
            return suppressed
        grew = False
        for cell in sorted(fixed, key=lambda c: position.get(c, 0)):
            for relation in relations:
                if cell in relation.members():
                    candidates = [m for m in relation.members() if m not in suppressed]
                    if candidates:
                        suppressed.add(min(candidates, key=_order(values, position)))
                        grew = True
                        break
            if grew:
                break
        if not grew:
            # Every relation of a fixed cell is suppressed already: no local complement is
            # left, so the whole table is withheld rather than publish a recoverable cell.
            suppressed |= {m for relation in relations for m in relation.members()}
            return suppressed

"""Small-count suppression (harvesters/suppression.py) and the civil-registry table built on
it: property tests on many random tables proving that no suppressed value can be recovered
from the published cells — by one subtraction from a published total, by chains of
subtractions, or by any linear combination of the published relations. The attacks are
written here independently of the module (rank tests with numpy.linalg.matrix_rank)."""
from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pytest

from ckanext.binhduong.harvesters import civil_events as events
from ckanext.binhduong.harvesters import civil_counts
from ckanext.binhduong.harvesters.suppression import Relation, determined, primary, protect

SEEDS = range(60)


# ---------------------------------------------------------------------------------------
# Attacks, written without the module's code

def published_cells(values, relations, suppressed):
    cells = {m for r in relations for m in r.members()} | set(values)
    return {c: values.get(c, 0) for c in cells if c not in suppressed}


def one_subtraction(values, relations, suppressed) -> set:
    """Cells a reader gets from one relation whose other members are all published."""
    known = published_cells(values, relations, suppressed)
    found = set()
    for relation in relations:
        hidden = [m for m in relation.members() if m not in known]
        if len(hidden) == 1:
            found.add(hidden[0])
    return found


def chained_subtractions(values, relations, suppressed) -> dict:
    """Repeat one_subtraction, using what was recovered, until nothing new: the values found."""
    known = published_cells(values, relations, suppressed)
    recovered = {}
    changed = True
    while changed:
        changed = False
        for relation in relations:
            hidden = [m for m in relation.members() if m not in known]
            if len(hidden) != 1:
                continue
            cell = hidden[0]
            parts = sum(known[p] for p in relation.parts if p != cell)
            value = parts if cell == relation.total else known[relation.total] - parts
            known[cell] = recovered[cell] = value
            changed = True
    return recovered


def linear_recovery(relations, suppressed) -> set:
    """Suppressed cells fixed by the system of published relations (rank test per cell)."""
    cells = sorted(suppressed, key=repr)
    if not cells:
        return set()
    index = {c: i for i, c in enumerate(cells)}
    rows = []
    for relation in relations:
        row = np.zeros(len(cells))
        for member, sign in ((relation.total, 1), *((p, -1) for p in relation.parts)):
            if member in index:
                row[index[member]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, i in index.items():
        unit = np.zeros(len(cells))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


# ---------------------------------------------------------------------------------------
# Random tables: regions → areas (→ subareas), each cell split by sex with a total

def random_table(rng: random.Random, depth: int):
    """values and relations of a random hierarchy (depth 2 or 3) × sex (m, f, u → all)."""
    sexes = ("m", "f", "u")
    tree = {"P": [f"D{i}" for i in range(rng.randint(1, 4))]}
    leaves = []
    for district in tree["P"]:
        tree[district] = [f"{district}C{j}" for j in range(rng.randint(1, 6))]
        for commune in tree[district]:
            if depth == 3:
                tree[commune] = [f"{commune}V{v}" for v in range(rng.randint(1, 3))]
                leaves += tree[commune]
            else:
                leaves.append(commune)
    values = {}
    for leaf in leaves:
        for sex in sexes:
            value = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40]) if sex != "u" else rng.choice([0, 0, 0, 1, 3])
            if value:
                values[(leaf, sex)] = value
    relations = []
    units = ["P", *[u for parent in tree.values() for u in parent]]
    for parent, children in tree.items():
        for sex in (*sexes, "all"):
            relations.append(Relation((parent, sex), tuple((c, sex) for c in children)))
    for unit in units:
        relations.append(Relation((unit, "all"), tuple((unit, s) for s in sexes)))
    # Totals, bottom up.
    for unit in reversed(units):
        for sex in sexes:
            if unit in tree:
                total = sum(values.get((c, sex), 0) for c in tree[unit])
                if total:
                    values[(unit, sex)] = total
        total = sum(values.get((unit, s), 0) for s in sexes)
        if total:
            values[(unit, "all")] = total
    return values, relations


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [3, 5, 10])
def test_no_suppressed_value_can_be_recovered(seed, k):
    rng = random.Random(seed * 31 + k)
    values, relations = random_table(rng, depth=2 + seed % 2)
    suppressed = protect(values, relations, k)

    published = published_cells(values, relations, suppressed)
    assert not [c for c, v in published.items() if 0 < v < k], "a small count is published"
    assert primary(values, k) <= suppressed
    assert one_subtraction(values, relations, suppressed) == set()
    assert chained_subtractions(values, relations, suppressed) == {}
    assert linear_recovery(relations, suppressed) == set()
    # Published figures are the true ones, and the result does not depend on luck.
    assert all(published[c] == values.get(c, 0) for c in published)
    assert protect(values, relations, k) == suppressed


@pytest.mark.parametrize("seed", range(40))
def test_the_audit_agrees_with_a_rank_test_on_any_pattern(seed):
    """determined() on random hidden sets (not only protect's) equals the per-cell rank test."""
    rng = random.Random(1000 + seed)
    values, relations = random_table(rng, depth=2 + seed % 2)
    cells = sorted({m for r in relations for m in r.members()}, key=repr)
    hidden = set(rng.sample(cells, rng.randint(1, max(1, len(cells) // 2))))
    assert determined(relations, hidden) == linear_recovery(relations, hidden)


def test_a_group_with_one_small_cell_hides_the_next_smallest_positive_one():
    relations = [Relation("T", ("a", "b", "c", "d"))]
    values = {"T": 30, "a": 3, "b": 0, "c": 9, "d": 18}
    assert protect(values, relations, 5) == {"a", "c"}


def test_nothing_is_hidden_when_no_count_is_small():
    relations = [Relation("T", ("a", "b"))]
    assert protect({"T": 30, "a": 12, "b": 18}, relations, 5) == set()
    assert protect({"T": 30, "a": 0, "b": 30}, relations, 5) == set()


def test_a_small_total_hides_its_parts_and_a_sibling_total():
    relations = [Relation("P", ("D1", "D2", "D3")), Relation("D1", ("a", "b")),
                 Relation("D2", ("c", "d")), Relation("D3", ("e", "f"))]
    values = {"P": 40, "D1": 3, "a": 1, "b": 2, "D2": 17, "c": 8, "d": 9, "D3": 20, "e": 10, "f": 10}
    suppressed = protect(values, relations, 5)
    assert {"D1", "a", "b"} <= suppressed and "D2" in suppressed  # D1 would be P − D2 − D3
    assert one_subtraction(values, relations, suppressed) == set()
    assert linear_recovery(relations, suppressed) == set()


def test_a_bridge_between_two_groups_of_suppressions_is_found_by_the_audit():
    # A two-way table (rows r1..r4 × columns c1..c4, with row and column totals). Hidden:
    # two 2×2 blocks joined by one cell (r2, c3). Every row and column has two or more
    # hidden cells, so no single subtraction works, yet the joining cell is fixed.
    rows, columns = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    relations = [Relation(("row", r), tuple((r, c) for c in columns)) for r in rows]
    relations += [Relation(("col", c), tuple((r, c) for r in rows)) for c in columns]
    hidden = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r2", "c3"),
              ("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4")}
    assert one_subtraction({}, relations, hidden) == set()
    assert determined(relations, hidden) == {("r2", "c3")} == linear_recovery(relations, hidden)

    rng = random.Random(5)
    values = {(r, c): (rng.randint(1, 4) if (r, c) in hidden else rng.randint(20, 40)) for r in rows for c in columns}
    for r in rows:
        values[("row", r)] = sum(values[(r, c)] for c in columns)
    for c in columns:
        values[("col", c)] = sum(values[(r, c)] for r in rows)
    values[("r2", "c3")] = 30  # not small itself, but the pattern needs it or another cell
    suppressed = protect(values, relations, 5)
    assert linear_recovery(relations, suppressed) == set()
    assert one_subtraction(values, relations, suppressed) == set()


# ---------------------------------------------------------------------------------------
# The civil-registry table as published: attacks on the rows themselves

def _published_table(seed: int, k: int, records: int):
    """Random events over real communes → the published rows, and the true counts."""
    rng = random.Random(seed)
    tree = civil_counts.hierarchy()
    communes = [c for d in tree.districts for c in tree.communes[d]]
    chosen = rng.sample(communes, 12) + [events.unknown_code("74"), events.unknown_code(tree.districts[0])]
    counts = defaultdict(dict)
    for _ in range(records):
        slice_key = (f"2024-0{rng.randint(1, 3)}", rng.choice(["khai_sinh", "khai_tu"]))
        cell = (rng.choice(chosen), rng.choice(events.SEXES if rng.random() < 0.05 else ("nam", "nu")))
        counts[slice_key][cell] = counts[slice_key].get(cell, 0) + 1
    truth = {s: dict(cells) for s, cells in counts.items()}
    civil_counts.aggregate(counts)
    rows, hidden = civil_counts.publish_rows(counts, k)
    return tree, rows, hidden, truth, counts


@pytest.mark.parametrize("seed", range(8))
def test_the_published_civil_registry_table_gives_no_hidden_count_back(seed):
    k = 5
    tree, rows, hidden, truth, counts = _published_table(seed, k, records=250 + 40 * seed)
    assert hidden == sum(1 for r in rows if r["bi_an"])
    assert all(r["so_luong"] is None for r in rows if r["bi_an"])
    assert not [r for r in rows if r["so_luong"] is not None and 0 < r["so_luong"] < k]
    by_slice = defaultdict(dict)
    for row in rows:
        by_slice[(row["thang"], row["loai_viec"])][(row["ma_don_vi"], row["gioi_tinh"])] = row
    for slice_key, cells in counts.items():
        published = by_slice[slice_key]
        suppressed = {cell for cell, row in published.items() if row["bi_an"]}
        # What a reader sees: published numbers, hidden cells, and 0 for every absent row.
        seen = {cell: row["so_luong"] for cell, row in published.items() if not row["bi_an"]}
        assert all(cells[cell] == value for cell, value in seen.items())
        assert all(cells.get(cell, 0) == 0 for r in tree.relations for cell in r.members()
                   if cell not in published)
        assert one_subtraction(cells, tree.relations, suppressed) == set()
        assert chained_subtractions(cells, tree.relations, suppressed) == {}
        assert linear_recovery(tree.relations, suppressed) == set()
        # Totals add up: province = all records of the slice.
        total = sum(truth[slice_key].values())
        province = published.get(("74", "tong"))
        assert province is not None and (province["bi_an"] or province["so_luong"] == total)


@pytest.mark.parametrize("seed", range(4))
def test_months_after_the_reform_are_protected_on_the_2025_map(seed):
    """From 7/2025 the cells are 2025 wards adding into the former province's area (no
    district level): the same attacks find nothing."""
    k, rng = 5, random.Random(seed)
    tree = civil_counts.hierarchy()
    chosen = rng.sample(tree.wards, 10) + [events.unknown_code(tree.area)]
    counts = defaultdict(dict)
    for _ in range(300):
        slice_key = (f"2025-0{rng.randint(7, 9)}", "khai_sinh")
        cell = (rng.choice(chosen), rng.choice(("nam", "nu", "khong_ro")))
        counts[slice_key][cell] = counts[slice_key].get(cell, 0) + 1
    truth = {s: sum(cells.values()) for s, cells in counts.items()}
    civil_counts.aggregate(counts)
    rows, _ = civil_counts.publish_rows(counts, k)
    assert {r["ban_do"] for r in rows} == {"moi"} and not [r for r in rows if r["cap"] == "huyen"]
    assert all(r["ma_don_vi"].startswith("2025/") and r["ma_don_vi_moi"] == r["ma_don_vi"] for r in rows)
    for slice_key, cells in counts.items():
        relations = tree.relations_for(slice_key[0])
        suppressed = {(r["ma_don_vi"], r["gioi_tinh"]) for r in rows if r["bi_an"] and (r["thang"], r["loai_viec"])
                      == slice_key}
        assert one_subtraction(cells, relations, suppressed) == set()
        assert linear_recovery(relations, suppressed) == set()
        area = next(r for r in rows if (r["thang"], r["loai_viec"]) == slice_key and r["ma_don_vi"] == tree.area
                    and r["gioi_tinh"] == "tong")
        assert area["bi_an"] or area["so_luong"] == truth[slice_key]


def test_legacy_rows_name_their_2025_counterpart():
    counts = {("2025-06", "khai_sinh"): {("25747", "nam"): 7, ("25741", "nu"): 6}}
    civil_counts.aggregate(counts)
    rows = {(r["ma_don_vi"], r["gioi_tinh"]): r for r in civil_counts.publish_rows(counts, 5)[0]}
    assert {r["ban_do"] for r in rows.values()} == {"cu"}
    # Phú Cường went whole into Phường Thủ Dầu Một; Hiệp Thành was split, most of it to Phú Lợi.
    assert (rows[("25747", "tong")]["ma_don_vi_moi"], rows[("25747", "tong")]["chuyen_doi"]) == \
        ("2025/25747", "nguyen_ven")
    assert (rows[("25741", "tong")]["ma_don_vi_moi"], rows[("25741", "tong")]["chuyen_doi"]) == \
        ("2025/25750", "chia_tach")
    assert rows[("718", "tong")]["ma_don_vi_moi"] == ""
    assert rows[("74", "tong")]["ma_don_vi_moi"] == civil_counts.hierarchy().area == "2025/79"

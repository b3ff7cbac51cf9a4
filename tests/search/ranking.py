"""nDCG@k and top-1 over the judged queries."""
from __future__ import annotations

import math


def dcg(grades: list[int]) -> float:
    return sum((2 ** grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def ndcg_at(k: int, ranked: list[str], judged: dict[str, int]) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    return dcg([judged.get(name, 0) for name in ranked[:k]]) / ideal if ideal else 0.0


def top1(ranked: list[str], judged: dict[str, int]) -> bool:
    best = max(judged.values())
    return bool(ranked) and judged.get(ranked[0], 0) == best

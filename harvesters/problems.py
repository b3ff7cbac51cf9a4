"""What goes wrong in a harvest, in the operator's words: ``Problem`` (a message in
Vietnamese for the harvest UI and in English for the logs, with the source's row numbers),
``TableError`` (a table that cannot be used at all) and ``HarvestProblem`` (a problem the
job cannot work around). Every harvester module reports through these; nothing here talks
to CKAN."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

__all__ = ["MAX_ROWS_LISTED", "Problem", "TableError", "HarvestProblem", "problem_of"]

#: Row numbers listed in one message before "and N more": a 2,000-row file with a systematic
#: mistake must give one readable message, not a wall of numbers.
MAX_ROWS_LISTED = 15


@dataclass(frozen=True)
class Problem:
    """Something wrong in the source that the operator should fix there.

    ``rows`` are row numbers as the publisher sees them in the file (1-based, counting title
    rows), so the message can be acted on without our code at hand.
    """
    vi: str
    en: str
    rows: tuple[int, ...] = ()

    def message(self) -> str:
        return f"{self.vi}{_rows_vi(self.rows)} [EN] {self.en}{_rows_en(self.rows)}"

    def as_dict(self) -> dict[str, Any]:
        return {"vi": self.vi, "en": self.en, "rows": list(self.rows)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Problem":
        return cls(data["vi"], data["en"], tuple(data.get("rows") or ()))


def _listed(rows: Sequence[int]) -> tuple[str, int]:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_LISTED])
    return shown, max(0, len(rows) - MAX_ROWS_LISTED)


def _rows_vi(rows: Sequence[int]) -> str:
    if not rows:
        return ""
    shown, more = _listed(rows)
    return f" (dòng {shown}{f' và {more} dòng khác' if more else ''})"


def _rows_en(rows: Sequence[int]) -> str:
    if not rows:
        return ""
    shown, more = _listed(rows)
    return f" (rows {shown}{f' and {more} more' if more else ''})"


class _Bilingual(Exception):
    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en

    def problem(self) -> Problem:
        return Problem(self.vi, self.en)


class TableError(_Bilingual):
    """The table as a whole cannot be used (no header found, a required column missing)."""


class HarvestProblem(_Bilingual):
    """A problem the harvest cannot work around; ``vi`` goes to the harvest UI."""


def problem_of(error: Exception) -> Problem:
    """Our modules' errors carry ``vi`` and ``en``; anything else is a bug worth its type name."""
    vi = getattr(error, "vi", None)
    en = getattr(error, "en", None)
    if vi and en:
        return Problem(vi, en)
    return Problem("Lỗi không mong đợi khi thu thập; quản trị xem nhật ký (log) để biết chi tiết.",
                   f"Unexpected {type(error).__name__}: {error}")

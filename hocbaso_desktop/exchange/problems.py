"""What every file reader's result says about its problems: errors block, warnings do not.

Shared by the class-list, staff-list and staff-import results, whose Problem types differ (a cell of
a sheet, a row) but all answer `is_error`.
"""

from __future__ import annotations

from typing import Any

ERROR, WARNING = "error", "warning"


class ProblemSummary:
    """Mixin for a result with a `problems` list (a field or a property) of items with `is_error`."""

    problems: Any

    @property
    def errors(self) -> list[Any]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Any]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

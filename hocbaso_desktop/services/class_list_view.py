"""The class list as the import wizard shows it: the parsed rows and their problems, and the
Vietnamese label of each column — so the GUI names the file's fields without knowing the format."""

from __future__ import annotations

from ..exchange.class_list import ListRow, Problem
from ..exchange.class_list_columns import FIELD_LABELS

__all__ = ["FIELD_LABELS", "ListRow", "Problem"]

"""The workbooks a school fills in for an import, and the report of what an import read.

The GUI and the CLI hand these out through here rather than reaching into exchange/, so both
faces write the same files the same way (atomically: temp file, then rename).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..exchange.class_list import ClassList
from ..exchange.class_list_report import write_report
from ..exchange.class_list_template import write_template
from ..exchange.staff_list_template import write_staff_template


def write_class_template(path: str | Path, classes: Sequence[str] = (), year: str = "") -> Path:
    """The blank class list (mẫu danh sách lớp), its class column offering `classes` of `year`."""
    return write_template(path, classes, year)


def write_staff_list_template(path: str | Path) -> Path:
    """The blank staff list (mẫu danh sách cán bộ)."""
    return write_staff_template(path)


def write_class_list_report(class_list: ClassList, path: str | Path) -> Path:
    """Every row the class list's reader saw, with its errors and warnings, for the school to fix."""
    return write_report(class_list, path)

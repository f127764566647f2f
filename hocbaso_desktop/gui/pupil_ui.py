"""Placeholder: filled in by its own work item (issue 14)."""

from __future__ import annotations


def install_pupil_ui(window):  # noqa: ANN001, ANN201
    return None

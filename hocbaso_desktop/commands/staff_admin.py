"""import-staff, template-staff, staff add|edit|deactivate (issue 14)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    pass  # filled in by its own work item

"""The school's seal for a command: the configured token library, the token (--token-label or the
setting) and the PIN typed at the terminal. One place for every command that seals (year lock,
archive export --seal, transfer export, records withdraw)."""

from __future__ import annotations

import argparse

from ..domain.errors import HocbasoError


def add_token_label(p: argparse.ArgumentParser) -> None:
    p.add_argument("--token-label", metavar="LABEL", help="nhãn thiết bị ký số chứa con dấu nhà trường")


def terminal_seal(store, token_label: str | None, *, lenient: bool = False):  # noqa: ANN001, ANN201 - Store → SealWith
    """A SealWith for `store`. `lenient`: no token library set up → None, and the service then says
    the seal is needed after its own checks (rights, readiness), which is the more useful message."""
    from ..services import signing_setup
    from ..services.archive_service import SealWith
    from ..signing.prompt import TerminalPinPrompt

    label = token_label or signing_setup.settings_service.signing_settings(store).token_label
    try:
        provider = signing_setup.provider_for(store)
    except HocbasoError:
        if lenient:
            return None
        raise
    return SealWith(provider, TerminalPinPrompt(), label or None)

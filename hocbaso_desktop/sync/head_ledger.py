"""What a receiver remembers of each school's audit chain: every seal-signed head (seq → hash) that
arrived in an accepted package (package.py, `dauchuoinhatky`).

A school's chain only grows, so a head with a seq already held under another hash proves the chain
was rewritten since (an insider with the database file edited entries and recomputed the hashes;
the seal key would then have signed both, or the later one is not the seal's — payload_check.py
refuses that first). Such a package is refused and the school has to explain itself; nothing is
forgotten. On disk: `<dir>/<school code>.json`, written temp → fsync → rename like every receiver file.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from ..fileio import write_atomic
from ..signing.chain_head import SignedHead

_SAFE = re.compile(r"[^0-9A-Za-z_.-]")


class HeadLedger:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._heads: dict[str, dict[int, str]] = {}
        for f in self.folder.glob("*.json"):
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
                self._heads[str(data["school"])] = {int(k): str(v) for k, v in data["heads"].items()}
            except (OSError, ValueError, KeyError, TypeError):
                continue  # atomic writes make this impossible; one bad file must not stop the server

    def _file(self, school: str) -> Path:
        return self.folder / f"{_SAFE.sub('_', school) or '_'}.json"

    def conflict(self, school: str, head: SignedHead) -> str | None:
        """Why `head` contradicts what this receiver holds for `school` (Vietnamese), or None."""
        with self._lock:
            held = self._heads.get(school, {}).get(head.seq)
        if held is not None and held != head.hash:
            return (f"nhật ký của trường mã «{school or 'trống'}» đã bị viết lại: đầu chuỗi đến mục #{head.seq} "
                    f"đã nhận trước đây có mã băm {held[:16]}…, gói tin này ghi {head.hash[:16]}…")
        return None

    def remember(self, school: str, head: SignedHead) -> None:
        with self._lock:
            heads = self._heads.setdefault(school, {})
            if heads.get(head.seq) == head.hash:
                return
            heads[head.seq] = head.hash
            data = {"school": school, "heads": {str(k): v for k, v in sorted(heads.items())}}
            write_atomic(self._file(school), json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def heads(self, school: str) -> dict[int, str]:
        with self._lock:
            return dict(self._heads.get(school, {}))

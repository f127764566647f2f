"""Paper copies of signed records rendered from their XML bytes, in batches, on every core.

A worker process gets the signed XML's bytes (and the issue date the seal's transaction set), renders
the PDF from them alone and hands back the PDF's bytes; the caller checks and stores them in whatever
transactions its path requires (services/paper_copies.py). Rendering is deterministic — no dates, no
IDs, the same fonts — so the same XML gives the same bytes in a worker and in the calling process, and
a stored copy can be compared with a fresh one.

Workers come from a "forkserver" (POSIX) or "spawn" (Windows) context, never a bare fork: the GUI
holds Qt, SQLite and token threads whose locks a forked child would inherit mid-use. The forkserver
imports this module once (reportlab, the fonts, the styles) and forks each worker from that warm state.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import date

from ..domain.errors import HocbasoError
from ..domain.progress import CancelCheck, Progress
from .paper_copy import PaperCopyCancelled, paper_copy_bytes
from .paper_style import styles
from .pdf_fonts import register_fonts
from .record_xml_read import parse_record_xml

# Which layout made a stored copy (record_paper_copy.renderer). Bumped when the bytes for the same XML
# change; a later layout never rewrites copies already stored (they were issued as they are).
RENDERER = "paper_copy/1"
POOL_MIN = 8  # below this many copies, starting workers costs more than rendering them here


@dataclass(frozen=True)
class SignedPaper:
    """What a worker needs: the signed bytes, and the issue date (ngày hiệu lực) the XML cannot carry
    (it is set by the seal's transaction, after the content was signed)."""

    xml: bytes
    valid_from: date | None = None


def render_signed_xml(signed_xml: bytes, valid_from: date | None = None) -> bytes:
    """The PDF of a signed record from its bytes alone (deterministic: same XML → same PDF)."""
    data = parse_record_xml(signed_xml, "học bạ đã ký")
    if valid_from is not None and data.valid_from is None:
        data = replace(data, valid_from=valid_from)
    return paper_copy_bytes(data)


def _work(job: SignedPaper) -> tuple[bool, bytes | str]:
    # our errors carry keyword data that does not survive pickling: hand back the message instead
    try:
        return True, render_signed_xml(job.xml, job.valid_from)
    except HocbasoError as e:
        return False, e.message


def _warm() -> None:
    register_fonts()
    styles()


def _warm_background() -> None:
    # Copies rendered while records are being signed must not take the CPU from the signing loop
    # (the seal batch, services/issue_copies.py): the loop comes first, the copies use what is left.
    if hasattr(os, "nice"):
        try:
            os.nice(10)
        except OSError:
            pass
    _warm()


def workers_for(jobs: int, workers: int | None = None, *, background: bool = False) -> int:
    """How many processes a batch of `jobs` copies gets: every core, none for a small batch, and none
    in a frozen build (its bootstrap does not re-enter for a worker). `background`: rendering beside
    the caller's own work (a seal batch signing on) leaves it a core, and one worker is then worth it."""
    if getattr(sys, "frozen", False) or jobs < POOL_MIN:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = min(workers if workers is not None else (cores - 1 if background else cores), jobs)
    return n if n > (0 if background else 1) else 0


def _context() -> multiprocessing.context.BaseContext:
    if os.name == "nt" or "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])  # not "__main__": a script or pytest must not be re-imported
    return ctx


class PaperRenderer:
    """Renders a batch of signed records' paper copies; a context manager owning its worker processes.

    `submit()` returns a Future of the PDF's bytes (so a caller can render while it waits on something
    else, e.g. the token); `render()` does a whole batch in order with progress and cancel. With no
    workers (a small batch, one core) everything renders in this process, with the same bytes.
    """

    def __init__(self, jobs: int, workers: int | None = None, *, background: bool = False) -> None:
        """`background`: the workers run at a lower priority, behind the caller's own work."""
        self.workers = workers_for(jobs, workers, background=background)
        self._pool: ProcessPoolExecutor | None = None
        if self.workers:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                             initializer=_warm_background if background else _warm)

    def __enter__(self) -> PaperRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def warm_up(self) -> None:
        """Start a worker now (interpreter, reportlab, fonts: ~0.3 s), e.g. while the PIN is asked,
        so the first copy does not wait for it."""
        if self._pool is not None:
            try:
                self._pool.submit(_warm)
            except BrokenProcessPool:
                self._pool = None

    def submit(self, job: SignedPaper) -> Future[tuple[bool, bytes | str]]:
        if self._pool is not None:
            try:
                return self._pool.submit(_work, job)
            except BrokenProcessPool:
                self._pool = None  # a worker died (killed, out of memory): carry on here
        done: Future[tuple[bool, bytes | str]] = Future()
        done.set_result(_work(job))
        return done

    def render(self, jobs: Sequence[SignedPaper], progress: Progress | None = None, cancel: CancelCheck | None = None,
               labels: Sequence[str] | None = None) -> list[bytes]:
        """The PDFs of `jobs`, in order. `cancel()` is asked after each copy (PaperCopyCancelled: the
        caller stores nothing); a copy that cannot be rendered raises HocbasoError naming it."""
        total = len(jobs)
        if cancel is not None and cancel():
            raise PaperCopyCancelled(0, total)
        futures = [self.submit(j) for j in jobs] if self._pool is not None else None
        out: list[bytes] = []
        for i, job in enumerate(jobs):
            ok, value = _result(futures[i], job) if futures is not None else _work(job)
            if not ok or not isinstance(value, bytes):
                self.close()
                who = labels[i] if labels else f"bản {i + 1}/{total}"
                raise HocbasoError(f"Không tạo được bản giấy của {who}: {value!s}")
            out.append(value)
            if progress is not None:
                progress(i + 1, total, labels[i] if labels else f"Bản giấy {i + 1}/{total}")
            if cancel is not None and cancel() and i + 1 < total:
                self.close()
                raise PaperCopyCancelled(i + 1, total)
        return out


def _result(future: Future[tuple[bool, bytes | str]], job: SignedPaper) -> tuple[bool, bytes | str]:
    try:
        return future.result()
    except BrokenProcessPool:
        return _work(job)  # the worker died: this copy is rendered here instead, with the same bytes


def render_signed_many(jobs: Sequence[SignedPaper], progress: Progress | None = None,
                       cancel: CancelCheck | None = None, *, workers: int | None = None,
                       labels: Sequence[str] | None = None) -> list[bytes]:
    """One batch on every core (PaperRenderer.render)."""
    with PaperRenderer(len(jobs), workers) as renderer:
        return renderer.render(jobs, progress, cancel, labels)


"""Paper copies rendered faster and in worker processes, with the same bytes (issue 19).

The speed-ups (a Paragraph's markup parsed once per process, the draft stamp encoded once per process)
must not change a single byte of the PDF; a worker process must give the bytes this process gives;
cancel and a broken record behave as the single-process path does."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from reportlab.platypus import Paragraph

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.domain.progress import CancelToken
from hocbaso_desktop.exchange import paper_pages, watermark
from hocbaso_desktop.exchange.paper_batch import PaperRenderer, SignedPaper, render_signed_many, render_signed_xml
from hocbaso_desktop.exchange.paper_copy import PaperCopyCancelled, paper_copy_bytes
from hocbaso_desktop.exchange.record_xml import build_record_xml

from .records import SIGNATURES, make_record


def _records(n: int, signed: bool = True) -> list:
    return [dataclasses.replace(make_record(1 + i % 5, signatures=SIGNATURES if signed else ()),
                                lookup_code=uuid.UUID(int=0xB0B0 << 64 | i)) for i in range(n)]


def _plain_paragraphs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paper_pages, "_p", lambda text, style: Paragraph(text, style))


def _plain_stamp(monkeypatch: pytest.MonkeyPatch) -> None:
    def draw(canvas, text, width, height) -> None:  # noqa: ANN001 - what watermark did before
        reader, _w, _h = watermark._stamp(text)
        canvas.drawImage(reader, 0, 0, width, height, mask="auto")

    monkeypatch.setattr(watermark, "_draw_encoded", draw)


def test_cached_paragraphs_and_stamp_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    recs = [*_records(3), *_records(2, signed=False)]
    fast = [paper_copy_bytes(r) for r in recs] + [paper_copy_bytes(recs)]
    again = [paper_copy_bytes(r) for r in recs] + [paper_copy_bytes(recs)]  # warm caches: still the same
    _plain_paragraphs(monkeypatch)
    _plain_stamp(monkeypatch)
    plain = [paper_copy_bytes(r) for r in recs] + [paper_copy_bytes(recs)]
    assert fast == again == plain
    assert b"/SMask" in fast[3]  # the draft's stamp (an image with its soft mask) is there


def test_a_worker_renders_the_bytes_this_process_renders() -> None:
    jobs = [SignedPaper(build_record_xml(r)) for r in _records(9)]
    with PaperRenderer(len(jobs), workers=2) as renderer:
        assert renderer.workers == 2
        pooled = renderer.render(jobs)
    assert pooled == [render_signed_xml(j.xml) for j in jobs]
    assert all(p.startswith(b"%PDF-") and p.rstrip().endswith(b"%%EOF") for p in pooled)


def test_small_batches_render_here() -> None:
    assert PaperRenderer(3).workers == 0


def test_cancel_stops_the_batch_and_returns_nothing() -> None:
    jobs = [SignedPaper(build_record_xml(r)) for r in _records(9)]
    token, seen = CancelToken(), []

    def progress(done: int, total: int, label: str = "") -> None:
        seen.append(done)
        if done == 2:
            token.cancel()

    with pytest.raises(PaperCopyCancelled) as e:
        render_signed_many(jobs, progress, token, workers=2)
    assert seen == [1, 2] and e.value.data["done"] == 2


def test_a_forged_record_in_a_batch_is_named_and_nothing_returned() -> None:
    jobs = [SignedPaper(build_record_xml(r)) for r in _records(8)]
    jobs[5] = SignedPaper(b"<hocba><khong-phai/></hocba>")
    labels = [f"học sinh {i}" for i in range(len(jobs))]
    with pytest.raises(HocbasoError, match="học sinh 5"):
        render_signed_many(jobs, workers=2, labels=labels)

"""Exporting issued records: the stored signed bytes, exactly, as `<mã tra cứu>.xml`; and the paper
copies of a class or a pupil as one PDF (`records pdf`).

Never rebuilt: an issued record's file is the byte string whose SHA-256 was stored at issue, so the
export is checked against that hash before and after writing (temp file → fsync → rename → re-read).
Likewise an issued record's paper copy is the PDF stored at issue from its signed XML
(services/paper_copies.py), never one rebuilt from the live rows; only drafts render from those.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..domain.errors import HocbasoError
from ..domain.progress import CancelCheck, Progress
from ..fileio import require_folder, write_atomic, write_failed
from ..storage.engine import Store
from ..storage.models import Enrolment, Record, Student
from .directory import find_class
from .records import StudentRef, class_students, load_record_data


@dataclass(frozen=True)
class ExportResult:
    written: tuple[Path, ...]
    not_issued: tuple[str, ...]  # students of the class without an issued record (names)


def export_issued(store: Store, class_name: str, out_dir: str | os.PathLike[str], year: str | None = None) -> ExportResult:
    info = find_class(store, class_name, year)
    refs = class_students(store, info.name, info.year)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    missing: list[str] = []
    with store.read() as s:
        issued = {
            e_id: (xml, sha, code)
            for e_id, xml, sha, code in s.execute(
                select(Record.enrolment_id, Record.signed_xml, Record.sha256, Student.lookup_code)
                .join(Enrolment, Record.enrolment_id == Enrolment.id)
                .join(Student, Record.student_id == Student.id)
                .where(Enrolment.class_id == info.id, Record.status == "issued")
            )
        }
    for r in refs:
        found = issued.get(r.enrolment_id)
        if found is None:
            missing.append(r.full_name)
            continue
        xml, sha, code = found
        if xml is None or hashlib.sha256(xml).hexdigest() != sha:
            raise HocbasoError(f"Học bạ đã phát hành của {r.full_name} không khớp mã băm đã lưu: dữ liệu bị hỏng, không xuất.")
        target = out / f"{code}.xml"
        write_atomic(target, xml)
        written.append(target)
    return ExportResult(tuple(written), tuple(missing))


def paper_copy_pieces(store: Store, refs: list[StudentRef]) -> list[bytes | None]:
    """Per pupil: the stored (signed) paper copy of the latest version when it is issued, else None
    (a draft: the caller renders it from the live rows, stamped BẢN NHÁP)."""
    from .paper_copies import issued_paper, latest_signed

    out: list[bytes | None] = []
    with store.read() as s:
        for r in refs:
            rec = latest_signed(s, r.enrolment_id)
            out.append(None if rec is None else issued_paper(s, rec).pdf)
    return out


def _merge(pdfs: list[bytes]) -> bytes:
    """One PDF of several (pdfium copies the pages as they are: the stored copies are not re-rendered)."""
    import pypdfium2 as pdfium

    dst = pdfium.PdfDocument.new()
    srcs = [pdfium.PdfDocument(b) for b in pdfs]
    try:
        for src in srcs:
            dst.import_pages(src)
        buf = io.BytesIO()
        dst.save(buf)
        return buf.getvalue()
    finally:
        for src in srcs:
            src.close()
        dst.close()


def paper_copy_pdf(store: Store, refs: list[StudentRef], out_path: str | os.PathLike[str],
                   progress: Progress | None = None, cancel: CancelCheck | None = None, *,
                   make_folder: bool = True) -> Path:
    """The paper copies of `refs` as one PDF at `out_path`: issued records as stored at issue, drafts
    from the live rows. One issued pupil: the stored bytes exactly. `cancel()` is asked between
    pupils (PaperCopyCancelled, no file written), as render_paper_copy does. `make_folder=False`: a
    missing folder (a pulled USB drive) is refused, never re-created. A write that fails names the file."""
    try:
        return _paper_copy_pdf(store, refs, out_path, progress, cancel, make_folder)
    except OSError as e:
        raise write_failed(out_path, e) from e


def _paper_copy_pdf(store: Store, refs: list[StudentRef], out_path: str | os.PathLike[str],
                    progress: Progress | None, cancel: CancelCheck | None, make_folder: bool) -> Path:
    from ..exchange.paper_copy import PaperCopyCancelled, paper_copy_bytes, render_paper_copy
    from .records import iter_record_data

    pieces = paper_copy_pieces(store, refs)
    out = Path(out_path)
    if all(p is None for p in pieces):  # drafts only: streamed, as before
        return render_paper_copy(iter_record_data(store, refs), out, progress=progress, cancel=cancel,
                                 make_folder=make_folder)
    if make_folder:
        out.parent.mkdir(parents=True, exist_ok=True)
    else:
        require_folder(out)
    pdfs: list[bytes] = []
    for i, (r, piece) in enumerate(zip(refs, pieces), start=1):
        if cancel is not None and cancel():
            raise PaperCopyCancelled(i - 1, len(refs))
        pdfs.append(piece if piece is not None else paper_copy_bytes(load_record_data(store, r.enrolment_id)))
        if progress is not None:
            progress(i, len(refs), f"Học sinh {i}/{len(refs)}")
    if not make_folder:
        require_folder(out)  # rendering took a while: the drive may have gone meanwhile
    return write_atomic(out, pdfs[0] if len(pdfs) == 1 else _merge(pdfs))

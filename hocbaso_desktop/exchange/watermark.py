"""The large diagonal "BẢN NHÁP" stamp of an unsigned paper copy, as a picture.

Drawn as text, the rotated letters end up interleaved with the page's own lines when the PDF is
read back (pdftotext, copy-paste, screen readers); as an image the page text stays clean and the
small printed "BẢN NHÁP — chưa ký số" line remains the searchable mark. The picture is rasterised
once from the bundled font and stored once per PDF as a form XObject.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from math import ceil

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader, _digester
from reportlab.pdfbase.pdfdoc import PDFImageXObject, PDFObjectReference
from reportlab.pdfgen.canvas import Canvas

from .pdf_fonts import fonts_dir

FORM_NAME = "hocbaDraftMark"
_ANGLE = 52  # degrees: roughly the A4 diagonal
_PX = 220  # raster font size; the stamp is soft-edged on purpose, so a modest resolution suffices


@lru_cache(maxsize=4)
def _stamp(text: str) -> tuple[ImageReader, int, int]:
    font = ImageFont.truetype(str(fonts_dir() / "LiberationSerif-Bold.ttf"), _PX)
    left, top, right, bottom = font.getbbox(text)
    pad = _PX // 5
    # FreeType's bbox is whole pixels, typed as float: round up so the stamp is never clipped
    img = Image.new("RGBA", (ceil(right - left) + 2 * pad, ceil(bottom - top) + 2 * pad), (255, 255, 255, 0))
    ImageDraw.Draw(img).text((pad - left, pad - top), text, font=font, fill=(205, 30, 30, 48))
    img = img.rotate(_ANGLE, resample=Image.Resampling.BICUBIC, expand=True)
    return ImageReader(img), img.width, img.height


@dataclass(frozen=True)
class _EncodedStamp:
    """The stamp as reportlab's image objects, compressed once per process (canvas.drawImage would
    hash and deflate the same raster again in every PDF: two fifths of a draft copy's time)."""

    name: str
    image: PDFImageXObject
    smask: PDFImageXObject


@lru_cache(maxsize=4)
def _encoded(text: str) -> _EncodedStamp:
    reader, _w, _h = _stamp(text)
    # exactly what canvas.drawImage(reader, mask="auto") derives: the same name, stream and soft mask
    name = _digester(reader.getRGBData() + reader._dataA.getRGBData())
    image = PDFImageXObject(name, reader, mask="auto")
    image.name = name
    smask = image._smask
    del image._smask
    return _EncodedStamp(name, image, smask)


def _draw_encoded(canvas: Canvas, text: str, width: float, height: float) -> None:
    """canvas.drawImage(reader, 0, 0, width, height, mask="auto") with the objects encoded once; the
    PDF's bytes are the same (tests/exchange/test_paper_batch.py compares them)."""
    stamp = _encoded(text)
    doc = canvas._doc
    reg = doc.getXObjectName(stamp.name)
    if doc.idToObject.get(reg) is None:
        image = copy.copy(stamp.image)  # per document: the references below belong to this PDF
        canvas._setXObjects(image)
        doc.Reference(image, reg)
        doc.addForm(stamp.name, image)
        smask = copy.copy(stamp.smask)
        mreg = doc.getXObjectName(smask.name)
        if doc.idToObject.get(mreg) is None:
            canvas._setXObjects(smask)
            image.smask = doc.Reference(smask, mreg)
        else:
            image.smask = PDFObjectReference(mreg)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(0, 0)
    canvas.scale(width, height)
    canvas._code.append(f"/{reg} Do")
    canvas.restoreState()
    canvas._formsinuse.append(stamp.name)


def draw_draft_stamp(canvas: Canvas, text: str, cx: float, cy: float, width: float) -> None:
    """Centre the stamp at (cx, cy), `width` points wide; defines the shared XObject on first use."""
    _reader, w, h = _stamp(text)
    height = width * h / w
    if not canvas.hasForm(FORM_NAME):
        canvas.beginForm(FORM_NAME, lowerx=0, lowery=0, upperx=width, uppery=height)
        _draw_encoded(canvas, text, width, height)
        canvas.endForm()
    canvas.saveState()
    canvas.translate(cx - width / 2, cy - height / 2)
    canvas.doForm(FORM_NAME)
    canvas.restoreState()

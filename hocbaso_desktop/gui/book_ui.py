"""Học bạ › In học bạ cả cấp của học sinh đang chọn…: the whole primary record (issue 17) beside the
one-year preview, in the same preview dialog (pages, Print…, Save PDF…), made off the GUI thread."""

from __future__ import annotations

from PySide6.QtGui import QAction
from sqlalchemy import select

from ..domain.roles import Actor
from ..storage.engine import Store
from ..storage.models import Enrolment, Student
from .paper_preview import PaperPreviewDialog, pdf_page_images


class BookPreviewDialog(PaperPreviewDialog):
    """The preview dialog showing the book of one pupil (services/record_book.make_book)."""

    def __init__(self, store: Store, personal_id: str, actor: Actor, parent=None) -> None:  # noqa: ANN001
        # read by _render, which the base class starts on its worker thread from its __init__
        self.personal_id, self.actor = personal_id, actor
        self.years: tuple = ()
        super().__init__(store, 0, parent)
        self.setWindowTitle("Xem trước học bạ cả cấp")

    def _render(self, _ctx):  # noqa: ANN001, ANN202 - on the cpu lane (gui/operations.py)
        from ..services.record_book import make_book

        book = make_book(self.store, self.personal_id, self.actor)
        self.years = book.years
        return f"{book.student_name} (học bạ cả cấp, {sum(y.state == 'printed' for y in book.years)} năm học)", \
            book.pdf, pdf_page_images(book.pdf)


class BookUi:
    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        self.window = window
        self.dialog: BookPreviewDialog | None = None
        self.action = QAction("In học bạ &cả cấp của học sinh đang chọn…", window)
        self.action.setObjectName("action_print_book")
        self.action.setToolTip("Trang bìa, lý lịch và quá trình học tập một lần, rồi từng năm học đã phát hành "
                               "(tại trường, nhận khi chuyển trường, trích lục), mỗi năm với chữ ký số của năm đó")
        self.action.triggered.connect(self.open_current)
        menu = window.records_menu
        actions = menu.actions()
        # right after the one-year preview (the first entry of the Học bạ menu)
        if len(actions) > 1:
            menu.insertAction(actions[1], self.action)
        else:
            menu.addAction(self.action)

    def open_current(self) -> BookPreviewDialog | None:
        w = self.window
        eid = w.current_enrolment_id()
        if eid is None:
            w.show_message("Hãy chọn một lớp và một học sinh")
            return None
        with w.store.read() as s:
            pid = s.execute(select(Student.personal_id).join(Enrolment, Enrolment.student_id == Student.id)
                            .where(Enrolment.id == eid)).scalar_one()
        self.dialog = BookPreviewDialog(w.store, pid, w.actor, w)
        self.dialog.show()
        return self.dialog


def install_book_ui(window) -> BookUi:  # noqa: ANN001 - MainWindow
    return BookUi(window)

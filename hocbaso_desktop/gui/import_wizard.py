"""Import wizard: choose a class list → preview with every problem on its cell → confirm.

Reading (cpu lane, cancellable) and writing (db lane) run as Ops (gui/operations.py) with the
wizard's own progress bar; the GUI thread never touches the store while a job runs. When the import
is written, `imported` is emitted with the ImportResult and the window context hears school_changed.

    wizard = ImportWizard(store, actor, parent)
    wizard.imported.connect(lambda result: window.refresh_classes())
    wizard.open()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import class_import, directory
from ..services.class_import import ImportPlan, ImportResult
from ..services.class_list_view import FIELD_LABELS
from ..services.import_sheets import write_class_list_report, write_class_template
from ..storage.engine import Store
from .dialogs import ask_open_path, ask_save_path
from .models.import_preview import ImportPreviewModel, ProblemFilter
from .operations import Changes, Lane, Op, OpContext

CHANGE_LABELS = FIELD_LABELS | {"ethnicity_code": "Dân tộc", "status": "Trạng thái"}
AUTO_YEAR = "Tự động (theo tiêu đề tệp hoặc năm học mới nhất)"
PAGE_FILE, PAGE_PREVIEW, PAGE_CONFIRM = 0, 1, 2


class ImportWizard(QWizard):
    """Public API for the main window: ImportWizard(store, actor, parent); signal `imported(ImportResult)`."""

    imported = Signal(object)

    def __init__(self, store: Store, actor: Actor | str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.plan: ImportPlan | None = None
        self.import_result: ImportResult | None = None  # not "result": that is QDialog.result()
        self.job: Op | None = None
        self.setWindowTitle("Nhập danh sách lớp từ Excel")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.NextButton, "Tiếp >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Quay lại")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Hủy")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Nhập vào cơ sở dữ liệu")
        self.file_page = FilePage(self)
        self.preview_page = PreviewPage(self)
        self.confirm_page = ConfirmPage(self)
        self.setPage(PAGE_FILE, self.file_page)
        self.setPage(PAGE_PREVIEW, self.preview_page)
        self.setPage(PAGE_CONFIRM, self.confirm_page)
        self.resize(1100, 680)

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def run_job(self, fn: Callable[[OpContext], object], bar: QProgressBar, on_done: Callable[[Any], object],
                on_fail: Callable[[str], object], *, lane: Lane = "cpu", changes: Changes | None = None) -> None:
        """Start a job on its lane; the wizard's buttons are disabled until it ends."""
        bar.setRange(0, 0)  # busy until the first report gives a total
        bar.show()
        for b in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton):
            self.button(b).setEnabled(False)

        def progress(done: int, total: int, label: str) -> None:
            if total <= 0:  # no total known: a busy bar with the label, never a full one
                bar.setRange(0, 0)
                bar.setFormat(label)
                return
            bar.setRange(0, total)
            bar.setValue(min(done, total))
            bar.setFormat(f"{label} — %p%")

        def finished(result: object) -> None:
            bar.hide()
            on_done(result)
            self._restore_buttons()

        def failed(message: str) -> None:
            bar.hide()
            on_fail(message)
            self._restore_buttons()

        # the wizard's own bar shows the progress: no second (dialog) bar
        self.job = Op(self, fn, lane=lane, changes=changes).without_dialog().on_progress(progress) \
            .success(finished).failure(failed).run_in_background()

    def _restore_buttons(self) -> None:
        page = self.currentPage()
        self.button(QWizard.WizardButton.BackButton).setEnabled(self.currentId() != PAGE_FILE)
        complete = page.isComplete() if page else False
        self.button(QWizard.WizardButton.NextButton).setEnabled(complete)
        self.button(QWizard.WizardButton.FinishButton).setEnabled(complete)

    def reject(self) -> None:
        if self.busy:
            # Reading can stop between rows; a running write finishes (it is one transaction anyway).
            self.job.cancel()  # type: ignore[union-attr]
            self.job.wait(30)  # type: ignore[union-attr]
        super().reject()

    def save_report(self, path: str | Path) -> Path:
        assert self.plan is not None
        return write_class_list_report(self.plan.class_list, path)


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Chọn tệp danh sách lớp")
        self.setSubTitle("Tệp Excel (.xlsx) xuất từ CSDL ngành hoặc gõ theo mẫu. Học sinh được nhận ra bằng mã định "
                         "danh: nhập lại cùng tệp không tạo bản trùng, không xóa ai.")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Đường dẫn tệp .xlsx")
        self.path_edit.textChanged.connect(self.completeChanged)
        browse = QPushButton("Chọn tệp…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.year_combo = QComboBox()
        self.year_combo.addItem(AUTO_YEAR, None)
        for y in reversed(directory.years(wizard.store)):
            self.year_combo.addItem(y, y)
        template = QPushButton("Lưu tệp mẫu trống…")
        template.clicked.connect(self._save_template)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #9C0006;")
        self.progress = QProgressBar()
        self.progress.hide()
        self.planned_for: tuple[str, str | None] | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Tệp danh sách:"))
        lay.addLayout(row)
        lay.addWidget(QLabel("Năm học:"))
        lay.addWidget(self.year_combo)
        lay.addWidget(template, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addStretch(1)
        lay.addWidget(self.message)
        lay.addWidget(self.progress)

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip()) and not self.wiz.busy

    def _browse(self) -> None:
        path = ask_open_path(self, "Chọn tệp danh sách lớp", "", "Bảng tính Excel (*.xlsx);;Mọi tệp (*)")
        if path:
            self.path_edit.setText(path)

    def _save_template(self) -> None:
        path = ask_save_path(self, "Lưu tệp mẫu", "mau_danh_sach_lop.xlsx", "Bảng tính Excel (*.xlsx)")
        if path:
            try:
                infos = directory.classes(self.wiz.store)
                write_class_template(path, [c.name for c in infos], infos[0].year if infos else "")
                self.message.setStyleSheet("color: #006100;")
                self.message.setText(f"Đã lưu tệp mẫu: {path}")
            except (OSError, HocbasoError) as e:
                self.message.setStyleSheet("color: #9C0006;")
                self.message.setText(f"Không lưu được tệp mẫu: {e}")

    def validatePage(self) -> bool:
        """Next: read the file off the GUI thread; move on by ourselves when the plan is ready."""
        path = self.path_edit.text().strip()
        year = self.year_combo.currentData()
        if self.wiz.plan is not None and self.planned_for == (path, year):
            return True
        self.message.setText("")
        self.planned_for = (path, year)
        store = self.wiz.store

        def work(ctx: OpContext) -> ImportPlan:
            return class_import.plan_import(store, path, year, progress=ctx.progress, cancel=ctx.cancel)

        def done(plan: object) -> None:
            assert isinstance(plan, ImportPlan)
            self.wiz.plan = plan
            self.wiz.next()

        def fail(message: str) -> None:
            self.wiz.plan = None
            self.message.setStyleSheet("color: #9C0006;")
            self.message.setText(message)

        self.wiz.plan = None
        self.wiz.run_job(work, self.progress, done, fail)
        return False


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Xem trước")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.only_problems = QCheckBox("Chỉ hiện dòng có lỗi hoặc cảnh báo")
        self.save_button = QPushButton("Lưu báo cáo lỗi (.xlsx)…")
        self.save_button.clicked.connect(self._save_report)
        top = QHBoxLayout()
        top.addWidget(self.only_problems)
        top.addStretch(1)
        top.addWidget(self.save_button)
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)  # the colours mean something here
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.problems = QTextBrowser()
        self.problems.setMaximumHeight(130)
        self.filter = ProblemFilter(self)
        self.only_problems.toggled.connect(self.filter.set_only_problems)
        self.table.setModel(self.filter)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.problems)
        self.model: ImportPreviewModel | None = None

    def initializePage(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.model = ImportPreviewModel(plan, self)
        self.filter.setSourceModel(self.model)
        self.table.resizeColumnsToContents()
        for c in range(self.model.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c) + 12, 260))
        cl = plan.class_list
        errors, warnings = len(plan.errors), len(plan.warnings)
        head = (f"Tệp <b>{cl.path.name}</b>, năm học <b>{plan.year}</b>: {len(cl.rows)} dòng học sinh. ")
        if errors:
            head += (f"<span style='color:#9C0006'><b>{errors} lỗi</b> (ô đỏ) phải sửa trong tệp rồi chọn lại; "
                     "chưa ghi gì.</span> ")
        else:
            head += (f"{len(plan.new)} mới, {len(plan.updated)} cập nhật (ô xanh), {len(plan.unchanged)} không đổi; "
                     f"lớp tạo mới: {', '.join(n for n, _g in plan.classes_to_create) or 'không'}. ")
        head += f"{warnings} cảnh báo (ô vàng, không chặn). Rê chuột lên ô để xem lý do."
        self.summary.setText(head)
        self.only_problems.setChecked(bool(errors))
        self.save_button.setEnabled(bool(errors or warnings))
        notes = [p.message() for p in plan.class_list.problems]
        if cl.ignored_columns:
            notes.append("Bỏ qua các cột: " + ", ".join(sorted({f"«{h}»" for _s, h in cl.ignored_columns})))
        if cl.skipped_sheets:
            notes.append("Bỏ qua các trang: " + ", ".join(f"«{s}»" for s in cl.skipped_sheets))
        if cl.restored_ids:
            notes.append(f"Đã khôi phục số 0 ở đầu cho {cl.restored_ids} mã định danh lưu dạng số.")
        self.problems.setPlainText("\n".join(notes) or "Không có lỗi hay cảnh báo nào.")

    def isComplete(self) -> bool:
        return self.wiz.plan is not None and self.wiz.plan.ok and not self.wiz.busy

    def _save_report(self) -> None:
        assert self.wiz.plan is not None
        default = self.wiz.plan.class_list.path.with_name(self.wiz.plan.class_list.path.stem + "_bao_cao_loi.xlsx")
        path = ask_save_path(self, "Lưu báo cáo lỗi", str(default), "Bảng tính Excel (*.xlsx)")
        if path:
            try:
                self.wiz.save_report(path)
            except OSError as e:
                self.problems.append(f"Không lưu được báo cáo: {e.strerror or e}")


class ConfirmPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Xác nhận")
        self.setSubTitle("Tất cả hoặc không gì cả: nếu có sự cố khi ghi, cơ sở dữ liệu giữ nguyên như trước.")
        self.text = QTextBrowser()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #9C0006;")
        self.progress = QProgressBar()
        self.progress.hide()
        lay = QVBoxLayout(self)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.progress)

    def initializePage(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        lines = [f"<p>Năm học <b>{plan.year}</b>" + ("" if plan.year_exists else " (sẽ được tạo mới)") + "</p><ul>",
                 f"<li>{len(plan.new)} học sinh mới</li>",
                 f"<li>{len(plan.updated)} học sinh có thay đổi</li>",
                 f"<li>{len(plan.unchanged)} học sinh không đổi</li>",
                 f"<li>Lớp tạo mới: {', '.join(n for n, _g in plan.classes_to_create) or 'không'}</li></ul>"]
        if plan.updated:
            lines.append("<p><b>Thay đổi:</b></p><ul>")
            for c in plan.updated[:200]:
                parts = "; ".join(f"{CHANGE_LABELS.get(f, f)}: «{_s(o)}» → «{_s(n)}»" for f, (o, n) in c.changes.items())
                lines.append(f"<li>{c.full_name} ({c.personal_id}): {parts}</li>")
            lines.append("</ul>")
        if plan.missing:
            lines.append(f"<p><b>{len(plan.missing)} học sinh của các lớp này không có trong tệp</b> — giữ nguyên, "
                         "không xóa (chuyển trường, thôi học được ghi riêng):</p><ul>")
            lines += [f"<li>{m.class_name} — {m.full_name} ({m.personal_id})</li>" for m in plan.missing[:200]]
            lines.append("</ul>")
        self.text.setHtml("".join(lines))
        self.message.setText("")

    def validatePage(self) -> bool:
        if self.wiz.import_result is not None:
            return True
        plan = self.wiz.plan
        assert plan is not None
        store, actor = self.wiz.store, self.wiz.actor

        def work(ctx: OpContext) -> ImportResult:
            return class_import.apply_import(store, plan, actor, progress=ctx.progress)

        def done(result: object) -> None:
            assert isinstance(result, ImportResult)
            self.wiz.import_result = result
            self.wiz.imported.emit(result)
            self.wiz.accept()

        self.wiz.run_job(work, self.progress, done, self.message.setText, lane="db", changes=Changes(school=True))
        return False


def _s(v: object) -> str:
    from datetime import date

    return v.strftime("%d/%m/%Y") if isinstance(v, date) else ("" if v is None else str(v))

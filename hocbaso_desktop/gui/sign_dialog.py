"""Ký và phát hành: choose classes (or the whole school), sign them with one PIN, see every record's outcome.

The whole batch — planning, the certificate check, the PIN, the signatures, the storing — runs on a
token lane (an Op, gui/operations.py); the PIN is asked by a Qt dialog through QtPinPrompt (signal + event), so the GUI
thread never waits on the token. The dialog shows progress and a Stop button (between records).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import directory, signing_setup
from ..services import settings as settings_service
from ..services.signing_plan import ROLE_TITLES, SigningPlan, may_sign_class, plan_signing, signing_roles
from ..services.signing_service import RecordOutcome, SigningRun, choose_certificate, school_name
from ..signing import Pkcs11Provider
from ..storage.engine import Store
from .operations import Changes, Op, OpContext, unexpected_message
from .pin_prompt import QtPinPrompt

log = logging.getLogger("hocbaso.gui")

OK_COLOR, FAIL_COLOR, WAIT_COLOR = QColor("#1b5e20"), QColor("#b00020"), QColor("#8a5a00")


@dataclass
class BatchResult:
    plan: SigningPlan | None = None
    outcomes: list[RecordOutcome] = field(default_factory=list)
    stopped: str | None = None
    cancelled: bool = False
    error: str | None = None

    @property
    def signed(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)


@dataclass(frozen=True)
class _Certificate:
    name: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class _Step:
    done: int
    total: int
    label: str
    outcome: RecordOutcome | None


def _sign_batch(ctx: OpContext, store: Store, actor: Actor, class_ids: list[int], role: str,
                provider: Pkcs11Provider | None, token_label: str | None, prompt: QtPinPrompt) -> BatchResult:
    """On the token lane: plan, choose the certificate, ask the PIN (through `prompt`), sign and store
    record by record; what happens is handed to the dialog as events (plan, certificate, each step).
    Errors become the result's `error` so the records already signed are still shown."""
    cancel = ctx.cancel
    result = BatchResult()
    try:
        result.plan = plan = plan_signing(store, actor, class_ids, role)
        ctx.emit(plan)
        if plan.items and not cancel.cancelled:
            provider = provider or signing_setup.provider_for(store)
            label = token_label or settings_service.signing_settings(store).token_label
            choice = choose_certificate(provider, label, plan.role, actor.name, school_name(store))
            ctx.emit(_Certificate(choice.certificate.common_name, tuple(choice.warnings)))
            run = SigningRun(store, plan, provider, choice, prompt, cancel)
            for p in run:
                if p.outcome is not None:  # the run gives every step its outcome
                    result.outcomes.append(p.outcome)
                ctx.emit(_Step(p.done, p.total, p.label, p.outcome))
            result.stopped, result.cancelled = run.stopped, run.cancelled
    except HocbasoError as e:
        result.error = e.message
    except Exception as e:  # a bug: logged with its traceback, and shown beside what was signed
        log.exception("signing batch failed")
        result.error = unexpected_message(e)
    return result


def roles_for(actor: Actor, gvbm_signs: bool) -> list[str]:
    return signing_roles(actor, gvbm_signs)


class SignDialog(QDialog):
    batch_started = Signal()
    batch_finished = Signal(object)  # BatchResult

    def __init__(self, parent: QWidget | None, store: Store, actor: Actor, *, provider: Pkcs11Provider | None = None,
                 token_label: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_dialog")
        self.setWindowTitle("Ký số và phát hành học bạ")
        self.resize(720, 560)
        self.store, self.actor, self.provider, self.token_label = store, actor, provider, token_label
        self.prompt = QtPinPrompt(self)
        self.batch: BatchResult | None = None  # not "result": that is QDialog.result()
        self.op: Op | None = None
        conf = settings_service.signing_settings(store)
        self.classes = directory.classes(store)

        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Người ký: <b>{actor.name}</b> ({actor.code})"))
        row = QHBoxLayout()
        row.addWidget(QLabel("Ký với vai trò:"))
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("role_combo")
        for r in roles_for(actor, conf.gvbm_signs):
            self.role_combo.addItem(ROLE_TITLES[r] if r != "seal" else "Con dấu nhà trường (phát hành)", r)
        row.addWidget(self.role_combo, 1)
        lay.addLayout(row)
        self.whole_school = QCheckBox("Toàn trường (mọi lớp được phép ký)")
        self.whole_school.setObjectName("whole_school")
        self.whole_school.toggled.connect(self._whole_school)
        lay.addWidget(self.whole_school)
        self.class_list = QListWidget()
        self.class_list.setObjectName("class_list")
        self.class_list.setMaximumHeight(130)
        lay.addWidget(self.class_list)
        self.status = QLabel("Chọn lớp rồi bấm «Ký».")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setFormat("%v / %m học bạ")
        lay.addWidget(self.progress)
        self.outcomes = QListWidget()
        self.outcomes.setObjectName("outcomes")
        lay.addWidget(self.outcomes, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.sign_button = QPushButton("Ký")
        self.sign_button.setObjectName("sign_button")
        self.sign_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Dừng")
        self.stop_button.setObjectName("stop_button")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.close_button = QPushButton("Đóng")
        self.close_button.clicked.connect(self.reject)
        for b in (self.sign_button, self.stop_button, self.close_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.role_combo.currentIndexChanged.connect(self._fill_classes)
        self._fill_classes()
        if not self.role_combo.count():
            self.status.setText(f"{actor.name} không có quyền ký học bạ.")
            self.sign_button.setEnabled(False)

    # -- choices --
    @property
    def role(self) -> str | None:
        return self.role_combo.currentData()

    def _fill_classes(self) -> None:
        self.class_list.clear()
        role = self.role
        self.sign_button.setText("Ký và phát hành" if role == "seal" else "Ký")
        for c in self.classes:
            if role is None or may_sign_class(self.actor, role, c) is not None:
                continue
            item = QListWidgetItem(f"Lớp {c.name} — {c.student_count} học sinh — GVCN {c.homeroom_name}")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if len(self.actor.homeroom_class_ids) == 1 and role == "gvcn"
                               else Qt.CheckState.Unchecked)
            self.class_list.addItem(item)

    def _whole_school(self, on: bool) -> None:
        for i in range(self.class_list.count()):
            self.class_list.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def select_classes(self, names: list[str]) -> None:
        wanted = {f"Lớp {n} " for n in names}
        for i in range(self.class_list.count()):
            item = self.class_list.item(i)
            hit = any(item.text().startswith(w) for w in wanted)
            item.setCheckState(Qt.CheckState.Checked if hit else Qt.CheckState.Unchecked)

    def checked_class_ids(self) -> list[int]:
        return [self.class_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.class_list.count())
                if self.class_list.item(i).checkState() == Qt.CheckState.Checked]

    # -- the batch --
    def start(self) -> None:
        ids = self.checked_class_ids()
        if not ids or self.role is None:
            self.status.setText("Hãy chọn ít nhất một lớp.")
            return
        self.outcomes.clear()
        self.sign_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText("Đang kiểm tra học bạ và thiết bị ký số…")
        args = (self.store, self.actor, ids, self.role, self.provider, self.token_label, self.prompt)
        # signed and issued records change the grid (locked rows) and join the outbox
        self.op = Op(self, lambda ctx: _sign_batch(ctx, *args), lane="token",
                     changes=Changes(records=True, grid=0, outbox=True)).without_dialog() \
            .on_event(self._event).success(self._finished).run_in_background()
        self.batch_started.emit()

    def stop(self) -> None:
        if self.op is not None:
            self.op.cancel()
        self.stop_button.setEnabled(False)
        self.status.setText("Đang dừng sau học bạ đang ký…")

    def _add(self, text: str, color: QColor) -> None:
        item = QListWidgetItem(text)
        item.setForeground(color)
        self.outcomes.addItem(item)

    def _event(self, value: object) -> None:
        if isinstance(value, SigningPlan):
            self._planned(value)
        elif isinstance(value, _Certificate):
            self._certificate(value.name, list(value.warnings))
        elif isinstance(value, _Step):
            self._progressed(value.done, value.total, value.label, value.outcome)

    def _planned(self, plan: SigningPlan) -> None:
        self.progress.setMaximum(max(len(plan.items), 1))
        self.progress.setValue(0)
        self.status.setText(f"Vai trò {plan.role_title}: {len(plan.items)} học bạ cần ký, {len(plan.already)} đã ký trước đó, "
                            f"{len(plan.skipped)} chưa ký được.")
        for n in plan.resets:
            self._add(f"✗ {n.student_name} ({n.class_name}): {n.reason}", FAIL_COLOR)
        for n in plan.skipped:
            self._add(f"‖ {n.student_name} ({n.class_name}): {n.reason}", WAIT_COLOR)

    def _certificate(self, name: str, warnings: list[str]) -> None:
        self.status.setText(self.status.text() + f" Chứng thư số: {name}.")
        for w in warnings:
            self._add(f"⚠ {w}", WAIT_COLOR)

    def _progressed(self, done: int, total: int, label: str, outcome: RecordOutcome | None) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        if outcome is not None:
            if outcome.ok:
                self._add(f"✓ {outcome.student_name} ({outcome.class_name}): {outcome.message}", OK_COLOR)
            else:
                self._add(f"✗ {outcome.student_name} ({outcome.class_name}): {outcome.message}", FAIL_COLOR)

    def _finished(self, result: BatchResult) -> None:
        self.batch = result
        issued = sum(1 for o in result.outcomes if o.ok and o.issued)
        text = f"Đã ký {result.signed} học bạ" + (f", phát hành {issued}" if issued else "") + "."
        if result.error:
            text = result.error
            self._add(f"✗ {result.error}", FAIL_COLOR)
        elif result.stopped:
            text += " " + result.stopped
        elif result.cancelled:
            text += " Đã dừng theo yêu cầu: các học bạ đã ký vẫn được giữ nguyên."
        self.status.setText(text)
        self.sign_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.batch_finished.emit(result)

    @property
    def running(self) -> bool:
        return self.op is not None and self.op.running

    def reject(self) -> None:  # no closing while a batch holds the token
        if not self.running:
            super().reject()

"""The one way the GUI runs work off its thread (shaped after Anki's QueryOp/CollectionOp).

    Op(parent, work, lane="db", title="Đang nhập…").success(show).failure(show_error).run_in_background()

- `work(ctx)` runs on its lane's thread and gets an `OpContext`: `ctx.progress(done, total, label)`,
  `ctx.cancel` (the core CancelToken, also callable as a `cancel()` check) and `ctx.emit(value)` to
  hand something to the GUI thread mid-way (`on_event`).
- A lane is one thread: 'db' (the database writer), 'token' (signing; PKCS#11 is not thread-safe),
  'network' (uploads, which hold no database session) and 'cpu' (renders and reads). Two jobs of one
  lane never run at once; jobs of different lanes do.
- With a title, a progress dialog appears when the work has run ~0.5 s, with «Hủy». A job that ends
  sooner shows nothing.
- The outcome comes back on the GUI thread: `success(result)`; a cancellation (domain.progress.Cancelled
  or a subclass) goes to `cancelled(message)` — never inferred from a dialog that closed; any other
  error to `failure(message)`. An unexpected exception is logged with its traceback (logger
  "hocbaso.gui") before its message is shown. Without a failure handler the message is shown in a box.
- `changes=Changes(...)` is announced, after success, on the WindowContext of the parent's window:
  menus and views connect to its signals instead of reaching into the main window.
- `shutdown(timeout)` (the main window's closeEvent) cancels every running job and waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Generic, Literal, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from .. import logs
from ..domain.errors import HocbasoError
from ..domain.progress import Cancelled, CancelToken
from ..domain.roles import VIEWER, Actor
from ..services.error_text import known_error_text

log = logging.getLogger("hocbaso.gui")

T = TypeVar("T")
Lane = Literal["db", "token", "network", "cpu"]
LANES: tuple[Lane, ...] = ("db", "token", "network", "cpu")
SHOW_AFTER_MS = 500


# --- what changed --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Changes:
    """What a finished operation changed. `grid` is the class whose grid changed (0: every class)."""

    records: bool = False
    grid: int | None = None
    outbox: bool = False
    school: bool = False  # years, classes, pupils or staff: the tree and the menus


class WindowContext(QObject):
    """Owned by the main window (a child QObject); views and menus connect to its signals and read
    who acts, in which year and class from it — never by reaching into the window's attributes.
    A window without a main window's state (a bare QMainWindow in a check) has nobody acting (VIEWER),
    no year and no class."""

    records_changed = Signal()
    grid_changed = Signal(int)  # class id; 0 means every class
    outbox_changed = Signal()
    school_changed = Signal()
    actor_changed = Signal(object)  # Actor: the person at the keyboard changed (rights follow)
    rights_changed = Signal()  # assignments or roles saved: the window rebuilds its actor's rights

    def __init__(self, window: QObject, *, actor: Callable[[], Actor] | None = None,
                 year: Callable[[], str | None] | None = None,
                 class_id: Callable[[], int | None] | None = None) -> None:
        super().__init__(window)
        self.setObjectName("window_context")
        self._actor = actor or (lambda: VIEWER)
        self._year = year or (lambda: None)
        self._class_id = class_id or (lambda: None)

    @property
    def actor(self) -> Actor:
        return self._actor()

    @property
    def year(self) -> str | None:
        return self._year() or None

    @property
    def class_id(self) -> int | None:
        return self._class_id()

    def announce(self, changes: Changes) -> None:
        if changes.school:
            self.school_changed.emit()
        if changes.records:
            self.records_changed.emit()
        if changes.grid is not None:
            self.grid_changed.emit(changes.grid)
        if changes.outbox:
            self.outbox_changed.emit()

    @staticmethod
    def of(widget: QObject | None) -> "WindowContext | None":
        """The context of the window `widget` lives in (walking up parents), if any."""
        obj = widget
        while obj is not None:
            found = obj.findChild(WindowContext, "window_context", Qt.FindChildOption.FindDirectChildrenOnly)
            if found is not None:
                return found
            obj = obj.parent()
        return None

    @staticmethod
    def for_window(window: QObject) -> "WindowContext":
        """The context of `window`; one with nobody acting is made for a window that has none."""
        found = WindowContext.of(window)
        return found if found is not None else WindowContext(window)


# --- on the worker thread ------------------------------------------------------------------------
class OpContext:
    """What the work function gets: report progress, check the cancel token, hand values to the GUI."""

    def __init__(self, relay: "_Relay", cancel: CancelToken) -> None:
        self._relay = relay
        self.cancel = cancel

    def progress(self, done: int, total: int, label: str = "", /) -> None:
        self._relay.progressed.emit(int(done), int(total), label)

    def emit(self, value: Any) -> None:
        self._relay.reported.emit(value)


class _Relay(QObject):
    """Created on the GUI thread, parentless: the worker emits, Qt queues to these slots, which hand
    over to the Op — or, when the Op's widget is gone (its window closed), only mark the job ended."""

    progressed = Signal(int, int, str)
    reported = Signal(object)  # not "event": that is QObject.event(), which Qt calls
    finished = Signal(object, object)  # result, exception | None

    def __init__(self, op: "Op[Any]") -> None:
        super().__init__()
        self.op = op
        q = Qt.ConnectionType.QueuedConnection
        self.progressed.connect(self._progressed, q)
        self.reported.connect(self._event, q)
        self.finished.connect(self._finished, q)

    def _alive(self) -> bool:
        return shiboken6.isValid(self.op)

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, label: str) -> None:
        if self._alive():
            self.op._on_progress(done, total, label)

    @Slot(object)
    def _event(self, value: Any) -> None:
        if self._alive():
            self.op._on_event(value)

    @Slot(object, object)
    def _finished(self, result: Any, error: BaseException | None) -> None:
        _relays.discard(self)
        if self._alive():
            self.op._on_finished(result, error)
        else:
            self.op.done.set()
            _running.discard(self.op)


_executors: dict[str, ThreadPoolExecutor] = {}
_executors_lock = threading.Lock()
_running: set["Op[Any]"] = set()
_relays: set[_Relay] = set()  # kept alive until their last signal reaches the GUI thread


def _executor(lane: Lane) -> ThreadPoolExecutor:
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}")
    with _executors_lock:
        ex = _executors.get(lane)
        if ex is None:
            ex = _executors[lane] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"hocbaso-{lane}")
        return ex


def on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def unexpected_message(e: BaseException) -> str:
    """A failure the school can meet (device, file, XML) in its own words (services/error_text);
    a bug without its Python class name — the traceback is in the log, named here."""
    known = known_error_text(e)
    if known is not None:
        return known
    return (f"Lỗi không mong đợi trong chương trình. Chi tiết đã được ghi vào nhật ký "
            f"{logs.log_path()}; hãy gửi tệp này cho người hỗ trợ.")


# --- the operation -------------------------------------------------------------------------------
class Op(QObject, Generic[T]):
    """One piece of background work; build, then `run_in_background()`. Keep no reference: a running
    Op keeps itself alive until its callbacks have run."""

    def __init__(self, parent: QWidget | QObject | None, work: Callable[[OpContext], T], *, lane: Lane = "cpu",
                 title: str = "", changes: Changes | None = None) -> None:
        super().__init__(parent)
        self.work, self.lane, self.title, self.changes = work, lane, title, changes
        self.token = CancelToken()
        self.done = threading.Event()  # set when the outcome has been delivered on the GUI thread
        self.result: T | None = None
        self.error: BaseException | None = None
        self.dialog: QProgressDialog | None = None
        self.label = title
        self._parent_widget = parent if isinstance(parent, QWidget) else None
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[str], Any] | None = None
        self._cancelled: Callable[[str], Any] | None = None
        self._finally: Callable[[], Any] | None = None
        self._progress: Callable[[int, int, str], Any] | None = None
        self._event: Callable[[Any], Any] | None = None
        self._show_dialog = bool(title)
        self._started = False
        self._context = WindowContext.of(parent)
        self._last: tuple[int, int, str] | None = None

    # builders (each returns self)
    def success(self, cb: Callable[[T], Any]) -> "Op[T]":
        self._success = cb
        return self

    def failure(self, cb: Callable[[str], Any]) -> "Op[T]":
        self._failure = cb
        return self

    def cancelled(self, cb: Callable[[str], Any]) -> "Op[T]":
        self._cancelled = cb
        return self

    def outcome(self, cb: Callable[[T | None, str | None], Any]) -> "Op[T]":
        """One handler for a dialog that shows both ends in one place: (result, None) after success,
        (None, message) after a failure or a cancel."""
        self._success = lambda r: cb(r, None)
        self._failure = lambda m: cb(None, m)
        return self

    def finally_(self, cb: Callable[[], Any]) -> "Op[T]":
        self._finally = cb
        return self

    def on_progress(self, cb: Callable[[int, int, str], Any]) -> "Op[T]":
        self._progress = cb
        return self

    def on_event(self, cb: Callable[[Any], Any]) -> "Op[T]":
        self._event = cb
        return self

    def without_dialog(self) -> "Op[T]":
        """For a dialog that shows progress in its own bar."""
        self._show_dialog = False
        return self

    # running
    def run_in_background(self) -> "Op[T]":
        if self._started:
            raise RuntimeError("an Op runs once")
        self._started = True
        relay = _Relay(self)
        _relays.add(relay)
        _running.add(self)
        if self._show_dialog:
            QTimer.singleShot(SHOW_AFTER_MS, self, self._show_progress_dialog)
        ctx = OpContext(relay, self.token)
        work, lane = self.work, self.lane

        def body() -> None:
            result: Any = None
            error: BaseException | None = None
            try:
                if self.token.cancelled:  # cancelled while queued behind another job of its lane
                    raise Cancelled()
                result = work(ctx)
            except BaseException as e:  # noqa: BLE001 - handed to the GUI thread, never lost
                error = e
                if not isinstance(e, HocbasoError):
                    log.error("operation %r on lane %s failed", self.title or getattr(work, "__name__", "?"), lane,
                              exc_info=e)
            relay.finished.emit(result, error)

        _executor(lane).submit(body)
        return self

    def cancel(self) -> None:
        self.token.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("Đang hủy…")

    @property
    def running(self) -> bool:
        return self._started and not self.done.is_set()

    @property
    def finished_flag(self) -> bool:
        """True once the outcome has been delivered (what tests wait on)."""
        return self.done.is_set()

    # on the GUI thread
    def _show_progress_dialog(self) -> None:
        if self.done.is_set() or self.dialog is not None:
            return
        d = QProgressDialog(self.label or self.title, "Hủy", 0, 0, self._parent_widget)
        d.setObjectName("operation_progress")
        d.setWindowTitle(self.title)
        d.setWindowModality(Qt.WindowModality.WindowModal)
        d.setMinimumDuration(0)
        d.setAutoClose(False)
        d.setAutoReset(False)
        d.setMinimumWidth(420)
        if self._last is not None:
            self._apply(d, *self._last)
        d.canceled.connect(self.cancel)
        self.dialog = d
        d.show()

    @staticmethod
    def _apply(d: QProgressDialog, done: int, total: int, label: str) -> None:
        if total > 0:
            d.setMaximum(total)
            d.setValue(max(0, min(done, total)))
        else:
            d.setMaximum(0)  # busy: no total known yet
        if label:
            d.setLabelText(label)

    def _on_progress(self, done: int, total: int, label: str) -> None:
        self._last = (done, total, label)
        if self.dialog is not None and not self.token.cancelled:
            self._apply(self.dialog, done, total, label)
        if self._progress is not None:
            self._progress(done, total, label)

    def _on_event(self, value: Any) -> None:
        if self._event is not None:
            self._event(value)

    def _on_finished(self, result: Any, error: BaseException | None) -> None:
        if self.dialog is not None:
            # closing a QProgressDialog emits `canceled`: disconnect first, so an ending is never a cancel
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.result, self.error = result, error
        # ended before the callbacks run: a callback asking "is a job still running?" hears no
        self.done.set()
        _running.discard(self)
        try:
            if error is None:
                if self.changes is not None and self._context is not None:
                    self._context.announce(self.changes)
                if self._success is not None:
                    self._success(result)
            elif isinstance(error, Cancelled):
                (self._cancelled or self._failure or self._show_failure)(error.message)
            elif isinstance(error, HocbasoError):
                (self._failure or self._show_failure)(error.message)
            else:
                (self._failure or self._show_failure)(unexpected_message(error))
        except Exception:  # a callback's own bug: logged, and the job still counts as ended
            log.exception("callback of operation %r failed", self.title)
        finally:
            if self._finally is not None:
                try:
                    self._finally()
                except Exception:
                    log.exception("finally of operation %r failed", self.title)

    def _show_failure(self, message: str) -> None:
        from .dialogs import show_error

        show_error(self._parent_widget, self.title or "Không thực hiện được", message)

    def wait(self, timeout: float = 30.0) -> bool:
        """Process events until the outcome is delivered (tests, shutdown); True when it was."""
        return wait_for([self], timeout)


def wait_for(ops: list["Op[Any]"], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while any(not op.done.is_set() for op in ops):
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


def running_ops() -> list["Op[Any]"]:
    return [op for op in _running if op.running]


def shutdown(timeout: float = 15.0) -> bool:
    """Cancel every running operation and wait up to `timeout` seconds for each to end; True when all did."""
    ops = running_ops()
    for op in ops:
        op.cancel()
    return wait_for(ops, timeout)


def run_blocking(parent: QObject | None, work: Callable[[], T], *, lane: Lane = "token") -> T | BaseException:
    """Run `work` on its lane while the GUI's event loop keeps turning (a PIN dialog is shown from it),
    and return its result — or the exception it raised, for the caller to word. For the few actions
    that must finish before the menu returns (locking a year, withdrawing a record)."""
    loop = QEventLoop()
    op: Op[T] = Op(parent, lambda _ctx: work(), lane=lane).without_dialog()
    op.success(lambda _r: None).failure(lambda _m: None).finally_(loop.quit).run_in_background()
    if not op.done.is_set():
        loop.exec()
    return op.error if op.error is not None else op.result  # type: ignore[return-value]

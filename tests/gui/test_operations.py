"""gui/operations.py: the one way to run work off the GUI thread — the progress dialog only for slow
work, Cancel, failures logged and shown, lanes that serialise, changes announced, a window closed mid-job."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPushButton

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.domain.progress import Cancelled, CancelToken
from hocbaso_desktop.gui import operations
from hocbaso_desktop.gui.operations import Changes, Op, WindowContext


@pytest.fixture
def window(qtbot):
    w = QMainWindow()
    w.context = WindowContext(w)
    qtbot.addWidget(w)
    w.show()
    yield w
    operations.shutdown(10)


def _outcome(op: Op) -> dict:
    got: dict = {}
    op.success(lambda r: got.__setitem__("ok", r)).failure(lambda m: got.__setitem__("fail", m)) \
        .cancelled(lambda m: got.__setitem__("cancelled", m))
    return got


def test_fast_work_shows_no_dialog_and_returns_its_result(qtbot, window) -> None:
    op = Op(window, lambda ctx: 41 + 1, lane="cpu", title="Đang tính")
    got = _outcome(op)
    op.run_in_background()
    assert op.wait(10)
    assert got == {"ok": 42}
    qtbot.wait(operations.SHOW_AFTER_MS + 200)  # the timer fires after the end: still no dialog
    assert op.dialog is None and not window.findChildren(QMessageBox)


def test_slow_work_shows_the_dialog_with_progress_and_cancel_stops_it(qtbot, window) -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def work(ctx):
        ctx.progress(3, 3000, "Dòng 3")
        started.set()
        while not ctx.cancel.cancelled:
            release.wait(0.01)
        seen.append(1)
        ctx.cancel.raise_if_cancelled()

    op = Op(window, work, lane="cpu", title="Đang đọc tệp")
    got = _outcome(op)
    op.run_in_background()
    assert started.wait(10)
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=5000)
    d = op.dialog
    assert d.windowTitle() == "Đang đọc tệp" and d.maximum() == 3000 and d.value() == 3
    assert d.labelText() == "Dòng 3"
    d.grab().save("/tmp/shots/operation_progress.png")
    (hủy,) = [b for b in d.findChildren(QPushButton) if b.text() == "Hủy"]
    qtbot.mouseClick(hủy, Qt.MouseButton.LeftButton)
    assert op.wait(10)
    assert "cancelled" in got and "Đã hủy" in got["cancelled"] and "fail" not in got
    assert isinstance(op.error, Cancelled) and seen == [1]
    assert op.dialog is None


def test_a_dialog_closing_at_the_end_is_not_a_cancel(qtbot, window) -> None:
    """The old Job treated QProgressDialog.close() (which emits canceled) as the user's Cancel."""
    release = threading.Event()

    def work(ctx):
        release.wait(10)
        raise HocbasoError("Không ghi được tệp /mnt/usb/lop.pdf: ổ đĩa chỉ đọc")

    op = Op(window, work, title="Xuất")
    got = _outcome(op)
    op.run_in_background()
    qtbot.waitUntil(lambda: op.dialog is not None, timeout=5000)
    release.set()
    assert op.wait(10)
    assert got == {"fail": "Không ghi được tệp /mnt/usb/lop.pdf: ổ đĩa chỉ đọc"}
    assert not op.token.cancelled


def test_unexpected_error_is_logged_with_traceback_and_shown(qtbot, window, caplog) -> None:
    def work(ctx):
        return {}["no such key"]

    op = Op(window, work, lane="db", title="Ghi dữ liệu")
    caplog.set_level(logging.ERROR, logger="hocbaso.gui")
    op.run_in_background()
    assert op.wait(10)
    rec = [r for r in caplog.records if r.name == "hocbaso.gui"]
    assert rec and rec[0].exc_info and rec[0].exc_info[0] is KeyError
    assert "Traceback" in caplog.text and "no such key" in caplog.text
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    # the person reads Vietnamese and where the log is; the class name is in the log only (issue 18)
    assert "Lỗi không mong đợi" in boxes[0].text() and "nhật ký" in boxes[0].text()
    assert "KeyError" not in boxes[0].text() and "no such key" not in boxes[0].text()
    boxes[0].grab().save("/tmp/shots/operation_failure.png")


def test_a_refusal_is_shown_as_written_and_not_logged_as_a_bug(qtbot, window, caplog) -> None:
    op = Op(window, lambda ctx: (_ for _ in ()).throw(HocbasoError("Lớp 3A không có học sinh nào")), title="In")
    caplog.set_level(logging.ERROR, logger="hocbaso.gui")
    op.run_in_background()
    assert op.wait(10)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == ["Lớp 3A không có học sinh nào"]
    assert not [r for r in caplog.records if r.name == "hocbaso.gui"]


def test_one_lane_runs_one_job_at_a_time_two_lanes_run_together(qtbot, window) -> None:
    active = {"token": 0, "cpu": 0}
    peak = {"token": 0, "cpu": 0}
    lock = threading.Lock()
    both = threading.Barrier(2, timeout=10)

    def job(lane, meet=False):
        def work(ctx):
            with lock:
                active[lane] += 1
                peak[lane] = max(peak[lane], active[lane])
            if meet:
                both.wait()  # only passes if a cpu job runs while a token job runs
            time.sleep(0.05)
            with lock:
                active[lane] -= 1
            return threading.current_thread().name
        return work

    ops = [Op(window, job("token", meet=(i == 0)), lane="token") for i in range(3)]
    ops.append(Op(window, job("cpu", meet=True), lane="cpu"))
    for op in ops:
        op.run_in_background()
    assert operations.wait_for(ops, 20)
    assert peak == {"token": 1, "cpu": 1}
    assert all(op.error is None for op in ops)
    assert {op.result for op in ops[:3]} == {ops[0].result} and ops[0].result.startswith("hocbaso-token")
    assert ops[3].result.startswith("hocbaso-cpu")


def test_a_job_cancelled_while_queued_never_runs(qtbot, window) -> None:
    release = threading.Event()
    ran: list[str] = []
    first = Op(window, lambda ctx: release.wait(10), lane="db").run_in_background()
    second = Op(window, lambda ctx: ran.append("second"), lane="db")
    got = _outcome(second)
    second.run_in_background()
    second.cancel()
    release.set()
    assert operations.wait_for([first, second], 10)
    assert ran == [] and "cancelled" in got


def test_changes_are_announced_on_the_window_context_after_success_only(qtbot, window) -> None:
    heard: list[object] = []
    ctx: WindowContext = window.context
    assert WindowContext.of(window) is ctx
    ctx.records_changed.connect(lambda: heard.append("records"))
    ctx.grid_changed.connect(lambda cid: heard.append(("grid", cid)))
    ctx.outbox_changed.connect(lambda: heard.append("outbox"))
    op = Op(window, lambda c: None, lane="db", changes=Changes(records=True, grid=7, outbox=True)).run_in_background()
    assert op.wait(10)
    assert heard == ["records", ("grid", 7), "outbox"]
    heard.clear()
    bad = Op(window, lambda c: 1 / 0, changes=Changes(records=True)).failure(lambda m: None).run_in_background()
    assert bad.wait(10) and heard == []


def test_events_from_the_worker_arrive_on_the_gui_thread_in_order(qtbot, window) -> None:
    got: list[tuple[object, bool]] = []

    def work(ctx):
        for i in range(5):
            ctx.emit(i)
        return "done"

    op = Op(window, work).on_event(lambda v: got.append((v, operations.on_gui_thread())))
    op.run_in_background()
    assert op.wait(10)
    assert got == [(i, True) for i in range(5)]


def test_shutdown_cancels_running_work_and_waits(qtbot, window) -> None:
    token_seen: list[CancelToken] = []
    ended = threading.Event()

    def work(ctx):
        token_seen.append(ctx.cancel)
        while not ctx.cancel.wait(0.01):
            pass
        ended.set()
        raise Cancelled()

    op = Op(window, work, lane="network").failure(lambda m: None).run_in_background()
    qtbot.waitUntil(lambda: bool(token_seen), timeout=5000)
    assert operations.running_ops() == [op]
    assert operations.shutdown(10)
    assert ended.is_set() and not operations.running_ops()


def test_a_widget_deleted_mid_job_does_not_crash_the_delivery(qtbot) -> None:
    release = threading.Event()
    w = QMainWindow()
    called: list[str] = []
    op = Op(w, lambda ctx: release.wait(10)).success(lambda r: called.append("success"))
    op.run_in_background()
    w.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(w), timeout=5000)
    release.set()
    assert op.wait(10)
    assert called == [] and not operations.running_ops()

"""The token lane (one thread, futures, no self-deadlock) and the module presets."""

from __future__ import annotations

import threading

import pytest

from hocbaso_desktop.signing.lane import TokenLane
from hocbaso_desktop.signing.modules import PRESETS, find_softhsm_module


def test_lane_runs_everything_on_one_thread_and_returns_futures():
    with TokenLane("lane-under-test") as lane:
        names = {lane.submit(lambda: threading.current_thread().name).result() for _ in range(5)}
        assert names == {"lane-under-test"}
        # a call made from the lane itself runs inline instead of waiting on itself forever
        assert lane.call(lambda: lane.call(lambda: 41) + 1) == 42
        with pytest.raises(ZeroDivisionError):
            lane.call(lambda: 1 / 0)
    with pytest.raises(RuntimeError):
        lane.submit(lambda: None)


def test_presets_cover_the_vendors_and_flag_unverified_paths():
    assert {"softhsm2", "epass2003", "vnpt-ca", "viettel-ca", "fpt-ca", "bkavca", "vgca"} <= set(PRESETS)
    assert PRESETS["softhsm2"].verified
    for key in ("vnpt-ca", "viettel-ca", "fpt-ca", "bkavca", "vgca"):
        assert not PRESETS[key].verified and "kiểm tra tại chỗ" in PRESETS[key].note
    assert "libcastle.so.1.0.0" in PRESETS["epass2003"].paths[0]
    module = find_softhsm_module()
    assert module is None or module.endswith("libsofthsm2.so")

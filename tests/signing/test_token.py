"""The PKCS#11 provider: tokens by label, certificates, PIN handling, typed errors, one thread."""

from __future__ import annotations

import threading

import pytest
from pkcs11 import TokenFlag
from pkcs11 import exceptions as p11e

from hocbaso_desktop.signing.errors import (
    ModuleNotFound,
    PinEntryCancelled,
    PinLocked,
    TokenBusy,
    TokenError,
    TokenNotFound,
    TokenRemoved,
    WrongPin,
)
from hocbaso_desktop.signing.lane import TokenLane
from hocbaso_desktop.signing.prompt import ScriptedPinPrompt
from hocbaso_desktop.signing.token import Pkcs11Provider, list_tokens, translate_error

from .conftest import USER_PIN
from .fakes import INITIALISED, FakeLib, FakeToken
from .softca import soft_identity


def test_lists_initialised_tokens_by_label_never_the_spare(demo, provider):
    tokens = provider.list_tokens()
    labels = {t.label for t in tokens}
    assert {demo.label, demo.ca_label} <= labels
    assert "" not in labels  # SoftHSM's uninitialised spare token is filtered out
    assert provider.find_token(demo.label).serial == demo.serial
    assert provider.find_token(serial=demo.serial).label == demo.label


def test_list_tokens_function_and_unknown_label(demo, provider, lane):
    assert demo.label in {t.label for t in list_tokens(provider.module_path, lane=lane)}
    with pytest.raises(TokenNotFound) as e:
        provider.find_token("KHONG-CO")
    assert "Không tìm thấy thiết bị ký số" in e.value.message


def test_missing_module_is_a_typed_error(lane):
    with pytest.raises(ModuleNotFound) as e:
        Pkcs11Provider("/khong/co/libpkcs11.so", lane=lane).list_tokens()
    assert "Không tìm thấy thư viện PKCS#11" in str(e.value)


def test_certificates_listed_without_login_with_key_pairing(demo, provider):
    certs = provider.list_certificates(demo.label)
    people = {c.common_name: c for c in certs if not c.is_ca}
    assert {"Nguyễn Thị Hồng Nhung", "Trần Văn Bình", "Trường Tiểu học Thử nghiệm"} <= set(people)
    nhung = people["Nguyễn Thị Hồng Nhung"]
    assert nhung.has_private_key and nhung.cert_id == demo.identities[0].cert_id
    assert set(nhung.key_usage) == {"digital_signature", "content_commitment"}
    assert nhung.issuer.endswith("CN=Hocbaso DEMO Issuing CA") or "Hocbaso DEMO Issuing CA" in nhung.issuer
    assert nhung.not_before < nhung.not_after
    assert all(not c.has_private_key for c in certs if c.is_ca)  # CA certs ride along, without keys


def test_keys_are_sign_only_and_non_extractable(demo, provider, pin_prompt):
    with provider.open_session(demo.label, prompt=pin_prompt) as s:
        for ident in demo.identities:
            attrs = s.private_key_attributes(ident.cert_id)
            assert attrs["sign"] and not attrs["decrypt"] and not attrs["unwrap"]
            assert attrs["sensitive"] and not attrs["extractable"]
            assert attrs["always_sensitive"] and attrs["never_extractable"]
        key = s.signing_key(s.signing_certificates()[0])
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        with pytest.raises(UnsupportedAlgorithm):
            key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        with pytest.raises(UnsupportedAlgorithm):
            key.private_numbers()


def test_wrong_pin_then_right_pin(demo, provider):
    with pytest.raises(WrongPin) as e:
        provider.open_session(demo.label, prompt=ScriptedPinPrompt(lambda: "000000"))
    assert e.value.message.startswith("Mã PIN không đúng")
    # Gotcha 4: the failed login's session was cleaned up; the right PIN works straight after.
    with provider.open_session(demo.label, prompt=ScriptedPinPrompt(lambda: USER_PIN)) as s:
        assert s.logged_in


def test_the_same_wrong_pin_is_never_sent_twice(demo, provider):
    prompt = ScriptedPinPrompt(lambda: "111111")
    with pytest.raises(WrongPin):
        provider.open_session(demo.label, prompt=prompt, attempts=3)
    assert prompt.calls == 2  # asked again, got the same PIN, stopped before burning a try


def test_retry_with_a_new_pin_after_a_wrong_one(demo, provider):
    answers = iter(["999999", USER_PIN])
    messages = []

    class Prompt:
        def ask_pin(self, token, message):
            messages.append(message)
            return next(answers)

    with provider.open_session(demo.label, prompt=Prompt(), attempts=3) as s:
        assert s.logged_in
    assert messages[0] is None and messages[1].startswith("Mã PIN không đúng")


def test_cancelled_pin_entry(demo, provider):
    with pytest.raises(PinEntryCancelled):
        provider.open_session(demo.label, prompt=ScriptedPinPrompt(lambda: None))


def test_one_login_per_token_at_a_time(demo, provider, pin_prompt):
    with provider.open_session(demo.label, prompt=pin_prompt):
        with pytest.raises(TokenBusy):
            provider.open_session(demo.label, prompt=pin_prompt)
    with provider.open_session(demo.label, prompt=pin_prompt) as s:
        assert s.logged_in


def test_env_var_prompt(demo, provider, monkeypatch):
    monkeypatch.setenv("HOCBASO_PIN", USER_PIN)
    prompt = ScriptedPinPrompt()
    with provider.open_session(demo.label, prompt=prompt) as s:
        assert s.logged_in
    assert USER_PIN not in repr(prompt)


# ---- what SoftHSM cannot do: fakes ------------------------------------------------------------------


def _fake_provider(lane: TokenLane, **token_kw):
    lib = FakeLib()
    token = FakeToken(lib, "FAKE-TOKEN", "123456", **token_kw)
    lib.tokens.append(token)
    provider = Pkcs11Provider("/fake/libfake.so", lane=lane, loader=lambda path: lib)
    return provider, lib, token


def test_locked_pin(lane):
    provider, _lib, token = _fake_provider(lane)
    token.open_error = p11e.PinLocked()
    with pytest.raises(PinLocked) as e:
        provider.open_session("FAKE-TOKEN", prompt=ScriptedPinPrompt(lambda: "123456"))
    assert "đã bị khoá" in e.value.message


def test_locked_flag_stops_before_asking(lane):
    provider, _lib, _token = _fake_provider(lane, flags=INITIALISED | int(TokenFlag.USER_PIN_LOCKED))
    prompt = ScriptedPinPrompt(lambda: "123456")
    with pytest.raises(PinLocked):
        provider.open_session("FAKE-TOKEN", prompt=prompt)
    assert prompt.calls == 0


@pytest.mark.parametrize(
    "flag, hint, words",
    [(TokenFlag.USER_PIN_FINAL_TRY, "final", "Chỉ còn MỘT lần thử"), (TokenFlag.USER_PIN_COUNT_LOW, "low", "còn ít lần thử")],
)
def test_wrong_pin_reports_tries_left_from_token_flags(lane, flag, hint, words):
    provider, lib, token = _fake_provider(lane)
    token.flags_after_failure = INITIALISED | int(flag)
    with pytest.raises(WrongPin) as e:
        provider.open_session("FAKE-TOKEN", prompt=ScriptedPinPrompt(lambda: "000000"))
    assert e.value.tries_hint == hint and words in e.value.message
    assert lib.reinitialized == 1  # gotcha 4: the leaked session closed by re-initialising


def test_token_pulled_mid_signing_is_token_removed(lane):
    provider, _lib, token = _fake_provider(lane)
    ident = soft_identity()
    token.add_identity(ident.cert, ident.key, b"\x01", fail_after=1)
    with provider.open_session("FAKE-TOKEN", prompt=ScriptedPinPrompt(lambda: "123456")) as s:
        key = s.signing_key(s.signing_certificates()[0])
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        key.sign(b"first", padding.PKCS1v15(), hashes.SHA256())  # verifies against the cert inside
        with pytest.raises(TokenRemoved) as e:
            key.sign(b"second", padding.PKCS1v15(), hashes.SHA256())
    assert "đã bị rút ra" in e.value.message


def test_every_pkcs11_call_runs_on_the_lane(lane):
    provider, lib, token = _fake_provider(lane)
    ident = soft_identity()
    token.add_identity(ident.cert, ident.key, b"\x01")
    provider.list_tokens()
    with provider.open_session("FAKE-TOKEN", prompt=ScriptedPinPrompt(lambda: "123456")) as s:
        s.list_certificates()
    assert lib.threads == {"test-token-lane"}


@pytest.mark.parametrize(
    "exc, expected",
    [
        (p11e.DeviceRemoved(), TokenRemoved),
        (p11e.TokenNotPresent(), TokenRemoved),
        (p11e.SessionClosed(), TokenRemoved),
        (p11e.SessionHandleInvalid(), TokenRemoved),
        (p11e.PinIncorrect(), WrongPin),
        (p11e.PinLocked(), PinLocked),
        (p11e.FunctionCancelled(), PinEntryCancelled),
    ],
)
def test_error_translation(exc, expected):
    assert isinstance(translate_error(exc, "X"), expected)


def test_pin_incorrect_with_locked_flag_is_locked():
    assert isinstance(translate_error(p11e.PinIncorrect(), "X", INITIALISED | int(TokenFlag.USER_PIN_LOCKED)), PinLocked)


@pytest.mark.parametrize(
    "exc, code",
    [
        (p11e.FunctionFailed(), "CKR_FUNCTION_FAILED"),
        (p11e.GeneralError(), "CKR_GENERAL_ERROR"),
        (p11e.PKCS11Error("Initialisation error (not initialized). Should never see this."), "CKR_CRYPTOKI_NOT_INITIALIZED"),
        (p11e.PKCS11Error("Unmapped error code 0xa"), "CKR_CANT_LOCK"),
        (p11e.PKCS11Error("Unmapped error code 0x8000001f"), "0x8000001F"),
        (p11e.PKCS11Error("Unmapped error code 0x3f"), "0x0000003F"),
    ],
)
def test_other_errors_name_the_return_code_in_vietnamese_never_a_class(exc, code):
    err = translate_error(exc, "X")
    assert isinstance(err, TokenError) and err.data["pkcs11_error"] == code
    assert err.message.startswith("Lỗi thiết bị ký số: ") and f"(mã lỗi PKCS#11: {code})" in err.message
    assert "PKCS11Error" not in err.message and type(exc).__name__ not in err.message


def test_every_python_pkcs11_error_class_has_vietnamese_words():
    from hocbaso_desktop.signing.pkcs11_codes import BY_CLASS

    classes = {name for name, obj in vars(p11e).items()
               if isinstance(obj, type) and issubclass(obj, p11e.PKCS11Error) and obj is not p11e.PKCS11Error}
    # Raised by python-pkcs11 itself, not by a token: worded elsewhere (lookups by label).
    classes -= {"MultipleObjectsReturned", "MultipleTokensReturned", "NoSuchKey", "NoSuchToken"}
    assert classes <= set(BY_CLASS), sorted(classes - set(BY_CLASS))


def test_wrong_pin_is_wrong_pin_while_another_lane_reinitialises_the_module(demo, provider):
    """Issue 14: a second provider of the same module on its own lane (another window's token watcher)
    re-initialised SoftHSM during a login: a bare "Lỗi thiết bị ký số (PKCS11Error)", or a crash."""
    other_lane = TokenLane("other-window-lane")
    other = Pkcs11Provider(provider.module_path, lane=other_lane, reinit_on_poll=True)
    stop = threading.Event()
    polls = []

    def watch() -> None:  # a watcher that never sleeps: the worst contention there is
        while not stop.is_set():
            try:
                other.poll()
                polls.append(1)
            except TokenError:
                pass

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for _ in range(15):
            with pytest.raises(WrongPin) as e:
                provider.open_session(demo.label, prompt=ScriptedPinPrompt(lambda: "000000"))
            assert e.value.message.startswith("Mã PIN không đúng")
            with provider.open_session(demo.label, prompt=ScriptedPinPrompt(lambda: USER_PIN)) as s:
                assert s.logged_in and s.signing_certificates()
    finally:
        stop.set()
        watcher.join(60)
        other_lane.close(60)
    assert polls, "the other lane never polled"

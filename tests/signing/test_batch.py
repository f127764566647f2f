"""Batch signing: one login, progress, cancel, per-record errors, a token pulled mid-batch."""

from __future__ import annotations

import pytest

from hocbaso_desktop.signing.batch import CancelToken, Progress, SignerChoice, SignJob, sign_batch
from hocbaso_desktop.signing.errors import CertificateNotFound, TokenRemoved
from hocbaso_desktop.signing.prompt import ScriptedPinPrompt
from hocbaso_desktop.signing.token import Pkcs11Provider
from hocbaso_desktop.signing.trust import TrustStore
from hocbaso_desktop.signing.xml_signature import verify_record

from .conftest import USER_PIN, record_xml
from .fakes import FakeLib, FakeToken
from .softca import soft_identity


def _jobs(n: int) -> list[SignJob]:
    return [SignJob(f"r{i}", f"Học sinh {i}", record_xml(extra_rows=i)) for i in range(n)]


def test_batch_logs_in_once_and_signs_everything(demo, provider, trust):
    prompt = ScriptedPinPrompt(lambda: USER_PIN)
    before = provider.login_count
    choice = SignerChoice(demo.label, cert_id=demo.identities[0].cert_id)
    progress = list(sign_batch(provider, choice, _jobs(6), "gvcn", prompt))
    assert prompt.calls == 1 and provider.login_count == before + 1
    assert [(p.done, p.total) for p in progress] == [(i, 6) for i in range(1, 7)]
    assert [p.label for p in progress] == [f"Học sinh {i}" for i in range(6)]
    for p in progress:
        assert p.outcome and p.outcome.error is None
        assert verify_record(p.outcome.signed_xml, trust).ok


def test_batch_can_be_cancelled_between_records(demo, provider):
    cancel = CancelToken()
    done: list[Progress] = []
    choice = SignerChoice(demo.label, cert_id=demo.identities[1].cert_id)
    for p in sign_batch(provider, choice, _jobs(5), "principal", ScriptedPinPrompt(lambda: USER_PIN), cancel):
        done.append(p)
        if p.done == 2:
            cancel.cancel()
    assert len(done) == 2
    assert not provider.busy()  # the session was closed on the way out


def test_bad_record_is_reported_and_the_batch_goes_on(demo, provider):
    jobs = _jobs(3)
    jobs[1] = SignJob("bad", "Hỏng", b"<hocbaso xmlns='urn:hocbaso:tieuhoc:1.0'><khac/></hocbaso>")
    choice = SignerChoice(demo.label, cert_id=demo.identities[0].cert_id)
    outcomes = [p.outcome for p in sign_batch(provider, choice, jobs, "gvcn", ScriptedPinPrompt(lambda: USER_PIN))]
    assert [o.signed_xml is not None for o in outcomes] == [True, False, True]
    assert "không đúng cấu trúc" in outcomes[1].error


def test_several_certificates_need_a_choice(demo, provider):
    with pytest.raises(CertificateNotFound) as e:
        list(sign_batch(provider, SignerChoice(demo.label), _jobs(1), "gvcn", ScriptedPinPrompt(lambda: USER_PIN)))
    assert "hãy chọn một" in e.value.message
    assert not provider.busy()


def test_token_pulled_mid_batch_keeps_what_was_signed(lane):
    lib = FakeLib()
    token = FakeToken(lib, "FAKE-TOKEN", "123456")
    lib.tokens.append(token)
    ident = soft_identity()
    token.add_identity(ident.cert, ident.key, b"\x07", fail_after=2)
    provider = Pkcs11Provider("/fake/libfake.so", lane=lane, loader=lambda path: lib)
    trust = TrustStore()
    trust.add_certificate(ident.root)
    trust.add_certificate(ident.intermediate)  # the fake token carries no CA chain

    received: list[Progress] = []
    with pytest.raises(TokenRemoved):
        for p in sign_batch(provider, SignerChoice("FAKE-TOKEN"), _jobs(5), "gvcn", ScriptedPinPrompt(lambda: "123456")):
            received.append(p)
    assert len(received) == 2
    for p in received:  # everything handed out before the pull is complete and valid
        assert verify_record(p.outcome.signed_xml, trust).ok
    assert all(s.closed for s in token.sessions)

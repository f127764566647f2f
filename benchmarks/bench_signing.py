"""How much each record costs the software when signing, apart from the token's own signature.

Signs 300 records of ~20 KB in one batch (one login) with a SoftHSM2 demo token in a temporary
directory, then prints total time, time spent inside the token's sign call, and the difference per
record: the software's own cost (parse, canonicalise, hash, build XAdES, serialise). Target: under
10 ms, so that with a real USB token (hundreds of ms per signature) the token alone sets the pace.

    .venv/bin/python benchmarks/bench_signing.py [--records 300] [--kb 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocbaso_desktop.signing.batch import SignerChoice, SignJob, sign_batch  # noqa: E402
from hocbaso_desktop.signing.demo_ca import create_demo_token  # noqa: E402
from hocbaso_desktop.signing.lane import TokenLane  # noqa: E402
from hocbaso_desktop.signing.modules import find_softhsm_module  # noqa: E402
from hocbaso_desktop.signing.prompt import ScriptedPinPrompt  # noqa: E402
from hocbaso_desktop.signing.token import Pkcs11Provider  # noqa: E402
from hocbaso_desktop.signing.trust import TrustStore  # noqa: E402
from hocbaso_desktop.signing.xml_signature import verify_record  # noqa: E402

PIN = "112233"


def record(i: int, kb: int) -> bytes:
    row = (
        '    <mon ma="M{j:03d}"><ten>Tiếng Việt</ten><mucdatduoc>Hoàn thành tốt</mucdatduoc>'
        "<nhanxet>Em đọc trôi chảy, viết đúng chính tả, trình bày sạch đẹp; cần phát huy.</nhanxet></mon>"
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<hocbaso xmlns="urn:hocbaso:tieuhoc:1.0" phienbanxsd="1.0">\n'
        f'  <thongtinhocba Id="HB-{i:032x}-v1">\n    <hoten>Nguyễn Thị Học Sinh {i}</hoten>\n'
    )
    tail = "  </thongtinhocba>\n  <chukyso/>\n</hocbaso>\n"
    rows, size, j = [], len(head) + len(tail), 0
    while size < kb * 1024:
        line = row.format(j=j) + "\n"
        rows.append(line)
        size += len(line.encode())
        j += 1
    return (head + "".join(rows) + tail).encode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--kb", type=int, default=20)
    args = ap.parse_args()
    module = find_softhsm_module()
    if module is None:
        print("SoftHSM2 chưa được cài (apt install softhsm2)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, TokenLane() as lane:
        base = Path(tmp)
        provider = Pkcs11Provider(module, lane=lane)
        demo = create_demo_token(
            module, base / "softhsm2.conf", base / "tokens", "BENCH", user_pin=PIN, so_pin="87654321",
            people=[("HT", "Trần Văn Bình", "001234567891", "person")], ca_dir=base / "trust", provider=provider,
        )
        jobs = [SignJob(str(i), f"HS {i}", record(i, args.kb)) for i in range(args.records)]
        avg_kb = sum(len(j.xml) for j in jobs) / len(jobs) / 1024
        keys = []
        started = time.perf_counter()
        signed = [
            p.outcome.signed_xml
            for p in sign_batch(provider, SignerChoice(demo.label), jobs, "principal", ScriptedPinPrompt(lambda: PIN),
                                on_ready=lambda s, c, k: keys.append(k))
        ]
        total = time.perf_counter() - started
        token = keys[0].token_seconds
        assert len(signed) == args.records and all(signed)

        trust = TrustStore.from_dirs(base / "trust")
        v_started = time.perf_counter()
        assert all(verify_record(x, trust).ok for x in signed)
        verify_total = time.perf_counter() - v_started

    n = args.records
    own = (total - token) / n * 1000
    print(f"{n} học bạ × {avg_kb:.1f} KB, một lần đăng nhập (SoftHSM2)")
    print(f"  tổng thời gian ký:          {total:7.2f} s  ({total / n * 1000:.2f} ms/học bạ, gồm đăng nhập)")
    print(f"  trong lệnh ký của token:    {token:7.2f} s  ({token / n * 1000:.2f} ms/chữ ký)")
    print(f"  chi phí phần mềm/học bạ:    {own:7.2f} ms  (mục tiêu < 10 ms) {'ĐẠT' if own < 10 else 'CHƯA ĐẠT'}")
    print(f"  kiểm tra chữ ký/học bạ:     {verify_total / n * 1000:7.2f} ms")
    return 0 if own < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""settings show|set: school settings such as GVBM sign-off (issue 14).

`show` prints "nhãn: giá trị" lines in Vietnamese; `set KEY VALUE --as CODE` changes one setting
through the settings screen's own save path (rights.EDIT_SETTINGS, one audited transaction).
"""

from __future__ import annotations

import argparse

from ..domain.errors import InvalidValue
from .common import VietnameseArgumentParser, open_store

# CLI key → (Vietnamese label, how to parse the value). Only what a script needs to switch.
SETTABLE = {"gvbm-signs": "GVBM ký phần môn mình dạy trước GVCN",
            "token-module": "Thư viện PKCS#11 của thiết bị ký số (tệp .so / .dll của hãng)",
            "token-label": "Nhãn thiết bị ký số dùng để ký (khi cắm nhiều thiết bị)",
            "softhsm-conf": "Tệp cấu hình SoftHSM2 (chỉ với thiết bị ký số thử nghiệm)",
            "board-signer": "Phó hiệu trưởng được Hiệu trưởng ủy quyền ký học bạ (mã cán bộ; «-»: Hiệu trưởng ký)"}
# CLI key → SettingsForm field, for the text settings; "-" clears a value.
_TEXT_FIELDS = {"token-module": "pkcs11_module", "token-label": "token_label", "softhsm-conf": "softhsm_conf"}
_ON, _OFF = ("on", "1", "bat", "bật", "co", "có", "true"), ("off", "0", "tat", "tắt", "khong", "không", "false")


def _onoff(value: bool) -> str:
    return "bật" if value else "tắt"


def _parse_bool(key: str, text: str) -> bool:
    v = text.strip().lower()
    if v in _ON:
        return True
    if v in _OFF:
        return False
    raise InvalidValue(SETTABLE[key], text, "dùng on hoặc off")


def cmd_show(args: argparse.Namespace) -> int:
    from ..services import settings_form
    from ..services.board_signer import board_signer

    with open_store(args) as store:
        f = settings_form.load_form(store, None)
        signer = board_signer(store)
    school = f.school
    lines = [
        ("Tên trường", school.get("name", "")), ("Mã trường (CSDL ngành)", school.get("moet_code", "")),
        ("Tỉnh/Thành phố", school.get("province", "")), ("Hiệu trưởng", f.principal),
        ("Thư viện PKCS#11", f.pkcs11_module), ("Nhãn thiết bị ký số", f.token_label),
        ("Thư mục chứng thư gốc tin cậy", "; ".join(f.trust_dirs)),
        (SETTABLE["gvbm-signs"] + " (gvbm-signs)", _onoff(f.gvbm_signs)),
        ("Người ký học bạ thay mặt nhà trường (board-signer)", _signer_text(signer)),
        ("Địa chỉ máy nhận (Gửi CSDL)", f.endpoint), ("Tự khóa màn hình sau (phút)", f"{f.idle_minutes:g}"),
        ("Thư mục sao lưu", f.backup_dir or "(mặc định)"), ("Số bản sao lưu giữ lại", str(f.backup_keep)),
    ]
    for label, value in lines:
        print(f"{label}: {value or '(chưa đặt)'}")
    return 0


def _signer_text(signer) -> str:  # noqa: ANN001 - board_signer.BoardSigner | None
    if signer is None:
        return ""
    p = signer.person
    return f"{p.full_name} ({signer.code}), {p.position}" + (" — KT. Hiệu trưởng" if signer.authorised else "")


def _text_value(key: str, text: str) -> str:
    from pathlib import Path

    value = "" if text.strip() == "-" else text.strip()
    if value and key in ("token-module", "softhsm-conf") and not Path(value).is_file():
        raise InvalidValue(SETTABLE[key], text, "không có tệp này trên máy")
    return value


def cmd_set(args: argparse.Namespace) -> int:
    from ..services import settings_form
    from ..services.accounts import resolve_cli_actor

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        if args.key == "board-signer":
            from ..services.board_signer import authorise, board_signer

            before = board_signer(store)
            after = authorise(store, actor, args.value)
            print(f"{SETTABLE[args.key]}: {_signer_text(after) or '(chưa có Hiệu trưởng)'}"
                  + ("" if before != after else " (không thay đổi)"))
            return 0
        old = settings_form.load_form(store, None)
        if args.key in _TEXT_FIELDS:
            field = _TEXT_FIELDS[args.key]
            new = old.with_(**{field: _text_value(args.key, args.value)})
            shown = getattr(new, field) or "(bỏ trống)"
        else:
            new = old.with_(gvbm_signs=_parse_bool(args.key, args.value))
            shown = _onoff(new.gvbm_signs)
        changed = settings_form.save_form(store, actor, new, old)
    print(f"{SETTABLE[args.key]}: {shown}" + ("" if changed else " (không thay đổi)"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="xem / đổi cài đặt của trường")
    ps = p.add_subparsers(dest="settings_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    ps.required = True
    sh = ps.add_parser("show", help="in cài đặt của trường (nhãn: giá trị)")
    sh.set_defaults(handler=cmd_show)
    st = ps.add_parser("set", help="đổi một cài đặt (ghi nhật ký): " + ", ".join(sorted(SETTABLE)))
    st.add_argument("key", choices=sorted(SETTABLE), metavar="KEY",
                    help="; ".join(f"{k}: {v}" for k, v in SETTABLE.items()))
    st.add_argument("value", metavar="VALUE", help="on/off (gvbm-signs), đường dẫn, nhãn hoặc mã cán bộ; «-» để bỏ trống")
    st.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    st.set_defaults(handler=cmd_set)

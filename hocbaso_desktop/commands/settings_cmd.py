"""settings show|set: school settings such as GVBM sign-off (issue 14).

`show` prints "nhãn: giá trị" lines in Vietnamese; `set KEY VALUE --as CODE` changes one setting
through the settings screen's own save path (rights.EDIT_SETTINGS, one audited transaction).
"""

from __future__ import annotations

import argparse

from ..domain.errors import InvalidValue

# CLI key → (Vietnamese label, how to parse the value). Only what a script needs to switch.
SETTABLE = {"gvbm-signs": "GVBM ký phần môn mình dạy trước GVCN"}
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
    from ..cli import open_store
    from ..services import settings_form

    with open_store(args) as store:
        f = settings_form.load_form(store, None)
    school = f.school
    lines = [
        ("Tên trường", school.get("name", "")), ("Mã trường (CSDL ngành)", school.get("moet_code", "")),
        ("Tỉnh/Thành phố", school.get("province", "")), ("Hiệu trưởng", f.principal),
        ("Thư viện PKCS#11", f.pkcs11_module), ("Nhãn thiết bị ký số", f.token_label),
        ("Thư mục chứng thư gốc tin cậy", "; ".join(f.trust_dirs)),
        (SETTABLE["gvbm-signs"] + " (gvbm-signs)", _onoff(f.gvbm_signs)),
        ("Địa chỉ máy nhận (Gửi CSDL)", f.endpoint), ("Tự khóa màn hình sau (phút)", f"{f.idle_minutes:g}"),
        ("Thư mục sao lưu", f.backup_dir or "(mặc định)"), ("Số bản sao lưu giữ lại", str(f.backup_keep)),
    ]
    for label, value in lines:
        print(f"{label}: {value or '(chưa đặt)'}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from ..cli import open_store
    from ..services import settings_form
    from ..services.accounts import resolve_cli_actor

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        old = settings_form.load_form(store, None)
        new = old.with_(gvbm_signs=_parse_bool(args.key, args.value))
        changed = settings_form.save_form(store, actor, new, old)
    label = SETTABLE[args.key]
    print(f"{label}: {_onoff(new.gvbm_signs)}" + ("" if changed else " (không thay đổi)"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from ..cli import VietnameseArgumentParser

    p = sub.add_parser("settings", help="xem / đổi cài đặt của trường")
    ps = p.add_subparsers(dest="settings_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    ps.required = True
    sh = ps.add_parser("show", help="in cài đặt của trường (nhãn: giá trị)")
    sh.set_defaults(handler=cmd_show)
    st = ps.add_parser("set", help="đổi một cài đặt (ghi nhật ký): gvbm-signs on|off")
    st.add_argument("key", choices=sorted(SETTABLE), metavar="KEY", help="gvbm-signs: " + SETTABLE["gvbm-signs"])
    st.add_argument("value", metavar="VALUE", help="on hoặc off")
    st.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    st.set_defaults(handler=cmd_set)

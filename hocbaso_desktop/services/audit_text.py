"""The audit trail and the settings as a school reads them: Vietnamese names for actions, entities,
settings keys and change fields, values written out (dates dd/mm/yyyy, yes/no, lists), never the
stored JSON or a key such as `outbox.endpoint`. No Qt: the history view and the CLI both use it."""

from __future__ import annotations

from typing import Any

from ..domain.vn_dates import vn_date

SETTING_LABELS: dict[str, str] = {
    "signing.pkcs11_module": "Thư viện PKCS#11 của thiết bị ký số",
    "signing.softhsm_conf": "Cấu hình SoftHSM2 (thử nghiệm)",
    "signing.token_label": "Nhãn thiết bị ký số",
    "signing.trust_dirs": "Thư mục chứng thư gốc tin cậy",
    "signing.board_signer": "Phó hiệu trưởng được ủy quyền ký",
    "school.gvbm_signs": "GVBM ký phần môn mình dạy",
    "school.place_of_issue": "Địa danh ghi trên học bạ",
    "backup.dir": "Thư mục sao lưu",
    "backup.keep": "Số bản sao lưu giữ lại",
    "year.correction_cutoffs": "Hạn đề nghị sửa sai",
    "outbox.endpoint": "Địa chỉ máy nhận (gửi học bạ lên Sở)",
    "outbox.token_env": "Biến môi trường chứa mã truy cập",
    "outbox.deadlines": "Hạn gửi",
    "outbox.warn_days": "Số ngày cảnh báo trước hạn gửi",
    "security.idle_lock_minutes": "Khóa màn hình khi không dùng (phút)",
}

ACTION_LABELS: dict[str, str] = {
    "account.create": "tạo tài khoản", "account.disable": "khóa tài khoản", "account.enable": "mở lại tài khoản",
    "account.first_admin": "tạo tài khoản đầu tiên", "account.login": "đăng nhập", "account.login_failed": "đăng nhập sai",
    "account.login_refused": "từ chối đăng nhập", "account.password_changed": "đổi mật khẩu",
    "account.password_reset": "đặt lại mật khẩu", "account.unlock": "mở khóa tài khoản",
    "archive.export": "xuất kho lưu trữ", "archive.export.failed": "xuất kho lưu trữ không thành",
    "backup.restore": "khôi phục bản sao lưu", "certificate.register": "đăng ký chứng thư số",
    "class.create": "tạo lớp", "comment_bank.add": "thêm nhận xét mẫu", "comment_bank.remove": "bỏ nhận xét mẫu",
    "correction.apply": "hoàn tất đính chính", "correction.approve": "duyệt phiếu đề nghị sửa",
    "correction.cancel": "hủy phiếu đề nghị sửa", "correction.reject": "từ chối phiếu đề nghị sửa",
    "correction.request": "lập phiếu đề nghị sửa", "demo.create": "tạo trường mẫu",
    "evaluation.quality": "đánh giá phẩm chất, năng lực", "evaluation.subject": "đánh giá môn học",
    "evaluation.summary": "nhận xét tổng hợp", "evaluation.year": "kết quả cuối năm",
    "import.class_list": "nhập danh sách lớp", "import.staff_list": "nhập danh sách cán bộ",
    "kqht.export": "xuất tệp KQHT", "outbox.export": "xuất gói gửi tay", "outbox.retry": "gửi lại",
    "outbox.send": "gửi học bạ", "pupil.update": "sửa thông tin học sinh", "record.issue": "phát hành học bạ",
    "record.paper_copy": "in bản giấy", "record.relock": "khóa lại học bạ", "record.replace": "thay thế phiên bản",
    "record.reset": "hủy chữ ký, về nháp", "record.sign": "ký số", "record.withdraw": "thu hồi học bạ",
    "record.transcribe": "nhập trích lục học bạ giấy", "school.update": "sửa thông tin trường",
    "school_year.update": "sửa năm học", "setting.set": "đổi cài đặt", "staff.create": "thêm cán bộ",
    "staff.deactivate": "cho cán bộ nghỉ", "staff.reactivate": "cán bộ làm lại", "staff.update": "sửa thông tin cán bộ",
    "student.transfer_in": "nhận học sinh chuyển đến", "student.transfer_out": "học sinh chuyển đi",
    "trust.add": "thêm chứng thư gốc tin cậy", "trust.remove": "bỏ chứng thư gốc tin cậy",
    "year.create": "tạo năm học", "year.lock": "khóa năm học", "year.unlock": "mở khóa năm học",
    "year.open": "mở năm học mới (kết chuyển)", "year_result.promote": "xét lên lớp",
}

ENTITY_LABELS: dict[str, str] = {
    "school": "trường", "school_year": "năm học", "class": "lớp", "student": "học sinh", "enrolment": "học sinh trong lớp",
    "record": "học bạ", "staff": "cán bộ", "account": "tài khoản", "setting": "cài đặt", "correction_request": "phiếu sửa",
    "certificate": "chứng thư số", "outbox": "hộp thư đi", "trust": "chứng thư gốc", "comment_bank": "nhận xét mẫu",
    "evaluations": "đánh giá", "subject_evaluation": "đánh giá môn", "quality_evaluation": "đánh giá phẩm chất, năng lực",
    "period_summary": "nhận xét cuối kì", "year_result": "kết quả cuối năm",
}

FIELD_LABELS: dict[str, str] = {
    "old": "trước", "new": "sau", "name": "tên", "full_name": "họ và tên", "year": "năm học", "hs": "mã học sinh",
    "reason": "lý do", "roles": "vai trò", "via": "qua", "by": "bởi", "text": "nội dung", "target": "đích",
    "must_change": "phải đổi mật khẩu", "level": "mức", "left_on": "ngày nghỉ", "subject": "môn", "mon": "môn",
    "students": "số học sinh", "seed": "mã sinh dữ liệu mẫu", "quality": "phẩm chất", "pcnl": "phẩm chất/năng lực",
    "grade": "khối", "folder": "thư mục", "files": "số tệp", "entries": "số mục", "count": "số lượng",
    "class": "lớp", "period": "kì", "version": "phiên bản", "value": "giá trị", "code": "mã", "file": "tệp",
    "classes": "số lớp", "records": "số học bạ", "status": "trạng thái", "result": "kết quả",
    "ky": "kì", "score": "điểm", "comment": "nhận xét", "days_excused": "số ngày nghỉ có phép",
    "days_unexcused": "số ngày nghỉ không phép", "confirmed_result": "kết quả được xác nhận",
    "de_xuat": "đề xuất theo TT27", "ly_do": "lý do", "xac_nhan_lai": "xác nhận lại kết quả cũ",
}
_LISTS = {"roles", "students", "files", "classes", "entries"}  # lists of things, not [old, new] pairs

_SECRET = {"password", "pin", "token"}  # never shown, even if an old entry carried one


GROUP_LABELS: dict[str, str] = {
    "account": "tài khoản", "archive": "kho lưu trữ", "backup": "sao lưu", "certificate": "chứng thư số",
    "class": "lớp", "comment_bank": "nhận xét mẫu", "correction": "sửa sai, đính chính", "demo": "trường mẫu",
    "evaluation": "đánh giá", "import": "nhập dữ liệu", "kqht": "tệp KQHT", "outbox": "gửi học bạ",
    "pupil": "học sinh", "record": "học bạ", "school": "trường", "school_year": "năm học", "setting": "cài đặt",
    "staff": "cán bộ", "student": "học sinh chuyển trường", "trust": "chứng thư gốc", "year": "năm học",
    "year_result": "xét lên lớp",
}


def group_label(group: str) -> str:
    """The filter line for a whole area of actions ("record" → every action on records)."""
    return f"Mọi thao tác về {GROUP_LABELS.get(group, group)}"


def setting_label(key: str) -> str:
    return SETTING_LABELS.get(key, key)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def entity_label(entity: str, entity_id: str) -> str:
    if entity == "setting":
        return f"cài đặt «{setting_label(entity_id)}»"
    name = ENTITY_LABELS.get(entity, entity)
    return f"{name} {'(tất cả)' if entity_id == '*' else entity_id}".strip()


def actor_label(actor: str) -> str:
    return "hệ thống" if actor == "system" else actor


def value_text(value: Any) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) or "(trống)"
    if isinstance(value, dict):
        return "; ".join(f"{FIELD_LABELS.get(str(k), str(k))}: {value_text(v)}" for k, v in value.items())
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return vn_date(text)
    return text if len(text) <= 200 else text[:200] + "…"


def changes_text(action: str, entity: str, entity_id: str, changes: dict[str, Any]) -> str:
    """One readable line for what an audit entry changed."""
    items = {k: v for k, v in changes.items() if k.lower() not in _SECRET}
    if "old" in items or "new" in items:
        # the setting's name is in the entity ("cài đặt «…»"), shown beside this line
        rest = {k: v for k, v in items.items() if k not in ("old", "new")}
        line = f"«{value_text(items.get('old'))}» → «{value_text(items.get('new'))}»"
        return line + (f"; {value_text(rest)}" if rest else "")
    parts = []
    for k, v in items.items():
        label = FIELD_LABELS.get(k, k)
        if isinstance(v, list) and len(v) == 2 and k not in _LISTS:  # an edit: [old, new]
            parts.append(f"{label}: «{value_text(v[0])}» → «{value_text(v[1])}»")
        else:
            parts.append(f"{label}: {value_text(v)}")
    return "; ".join(parts)


def audit_line(at: str, actor: str, action: str, entity: str, entity_id: str, changes: dict[str, Any]) -> str:
    """«time · who · what on which: the change» — the audit entry as a sentence."""
    from ..domain.vn_dates import vn_datetime

    detail = changes_text(action, entity, entity_id, changes)
    return (f"{vn_datetime(at, seconds=True)} · {actor_label(actor)} · {action_label(action)} — {entity_label(entity, entity_id)}"
            + (f": {detail}" if detail else ""))

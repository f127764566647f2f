"""Who may do what (records.md, seed 004 Điều 3-10), as data: one matrix for the GUI and the CLI.

The matrix answers "which roles may ever do this action". Finer checks that depend on the object
(a GVBM only for their subjects in their classes, a GVCN only for their class) stay with the
object: Actor.can_edit_subject / can_edit_class_summary, called by the services after require().
The principal may do everything the others may (records.md: "everything below"), so the
principal is in every row; the system actor (migrations, demo, tests) passes every check.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PermissionDenied
from .roles import ADMIN, ARCHIVIST, CLERK, HOMEROOM, PRINCIPAL, ROLE_NAMES, SUBJECT, VICE_PRINCIPAL, Actor

# Ban giám hiệu + Ban quản trị: "the admin team" of seed 004 Điều 6 and 9.
ADMIN_TEAM = frozenset({PRINCIPAL, VICE_PRINCIPAL, ADMIN})
# Accounts of these roles are "tài khoản cấp cao" (Điều 9): only the principal and vice principals
# create, reset or disable them; Ban quản trị manages the others (GVCN, GVBM, văn phòng…).
HIGH_LEVEL_ROLES = frozenset({PRINCIPAL, VICE_PRINCIPAL, ADMIN})
# Ban giám hiệu: witnesses of a correction sign as BGH; the board manages high-level accounts.
BOARD = frozenset({PRINCIPAL, VICE_PRINCIPAL})
HIGH_LEVEL_MANAGERS = BOARD
# Ban quản trị alone, where a minute names the group a witness belongs to
ADMINISTRATORS = frozenset({ADMIN})
# The first account of an empty install (accounts.create_first_admin), in the order the form offers
# them: whoever installs the program, or the principal herself.
FIRST_ACCOUNT_ROLES = (ADMIN, PRINCIPAL)

# --- actions ---------------------------------------------------------------------------------
EDIT_SUBJECT = "grid.edit_subject"
EDIT_CLASS = "grid.edit_class"
EDIT_COMMENT_BANK = "comment_bank.edit"
IMPORT_CLASSES = "class.import"
PRINT_RECORDS = "records.print"
BUILD_RECORDS = "records.build"
SIGN_HOMEROOM = "records.sign_homeroom"
SIGN_SUBJECT = "records.sign_subject"
APPROVE_AND_SIGN = "records.approve_sign"
SIGN_SEAL = "records.sign_seal"
EXPORT_ARCHIVE = "archive.export"
LOCK_YEAR = "year.lock"
CONFIRM_INCOMPLETE_ROLLOVER = "year.rollover_incomplete"
SYNC = "sync.upload"
MANAGE_ACCOUNTS = "accounts.manage"
EDIT_SETTINGS = "settings.edit"
VIEW_AUDIT = "audit.view"
REQUEST_CORRECTION = "correction.request"
REVIEW_CORRECTIONS = "correction.review"
APPROVE_CORRECTION = "correction.approve"
WITHDRAW_RECORD = "records.withdraw"
TRANSFER_STUDENT = "student.transfer"
VIEW_REPORTS = "reports.view"
MANAGE_STAFF = "staff.manage"
ASSIGN_TEACHING = "teaching.assign"
EDIT_PUPIL = "pupil.edit"
EDIT_ALL_PUPILS = "pupil.edit_all"
DECIDE_PROMOTION = "year_result.promote"
MANAGE_TRUST = "trust.manage"
AUTHORISE_SIGNER = "signing.authorise"
# Reading personal data (issue 15: every command that reads it logs in and is checked here)
VIEW_PUPILS = "pupils.view"
VIEW_ALL_CLASSES = "pupils.view_all"
VIEW_STAFF = "staff.view"
BACKUP_DATA = "backup.make"
TRANSCRIBE_RECORD = "records.transcribe"


@dataclass(frozen=True)
class Right:
    action: str
    name: str  # Vietnamese, as it reads after "Không có quyền …"
    roles: frozenset[str]


def _r(action: str, name: str, *roles: str) -> Right:
    return Right(action, name, frozenset((PRINCIPAL, *roles)))


RIGHTS: dict[str, Right] = {r.action: r for r in (
    _r(EDIT_SUBJECT, "nhập đánh giá môn học", SUBJECT, HOMEROOM),
    _r(EDIT_CLASS, "nhập phẩm chất, năng lực, chuyên cần, kết quả của lớp", HOMEROOM),
    _r(EDIT_COMMENT_BANK, "sửa ngân hàng nhận xét", VICE_PRINCIPAL, ADMIN, HOMEROOM, SUBJECT),
    _r(IMPORT_CLASSES, "nhập danh sách học sinh", VICE_PRINCIPAL, ADMIN, CLERK),
    _r(PRINT_RECORDS, "in học bạ", VICE_PRINCIPAL, ADMIN, CLERK, HOMEROOM),
    _r(BUILD_RECORDS, "tạo lập học bạ", VICE_PRINCIPAL, ADMIN),
    # the signature slot is decided here; which class (her own, one she teaches) by the signing plan
    _r(SIGN_HOMEROOM, "ký học bạ với tư cách GVCN", HOMEROOM),
    _r(SIGN_SUBJECT, "ký phần của GVBM", SUBJECT),
    # a vice-principal signs for the board only once the principal authorised her (AUTHORISE_SIGNER)
    _r(APPROVE_AND_SIGN, "phê duyệt và ký số học bạ", VICE_PRINCIPAL),
    # the school's organisation certificate (con dấu) is kept by the board and the office (văn thư)
    _r(SIGN_SEAL, "ký bằng chứng thư số của nhà trường (con dấu)", VICE_PRINCIPAL, CLERK),
    # seed 004 Điều 10: the archivist, often the office; Ban quản trị makes the copy on removable media
    _r(EXPORT_ARCHIVE, "xuất kho lưu trữ năm học", ARCHIVIST, CLERK, ADMIN),
    # the lock's audit head is signed with the school's seal in the principal's name (records.md:
    # Ban quản trị locks "on instruction", i.e. the principal does it at the keyboard)
    _r(LOCK_YEAR, "khóa/mở khóa năm học"),
    # opening the new year while records of the old one are incomplete is the principal's decision
    _r(CONFIRM_INCOMPLETE_ROLLOVER, "xác nhận mở năm học mới khi còn học bạ chưa hoàn tất"),
    _r(SYNC, "đồng bộ lên CSDL ngành", ADMIN),
    _r(MANAGE_ACCOUNTS, "quản lý tài khoản", VICE_PRINCIPAL, ADMIN),
    _r(EDIT_SETTINGS, "thay đổi cài đặt", VICE_PRINCIPAL, ADMIN),
    _r(VIEW_AUDIT, "xem nhật ký thao tác", VICE_PRINCIPAL, ADMIN),
    _r(REQUEST_CORRECTION, "lập phiếu đề nghị sửa dữ liệu", HOMEROOM, SUBJECT),
    _r(REVIEW_CORRECTIONS, "xem các phiếu đề nghị sửa dữ liệu", VICE_PRINCIPAL, ADMIN),
    _r(APPROVE_CORRECTION, "phê duyệt sửa dữ liệu"),
    _r(WITHDRAW_RECORD, "thu hồi học bạ"),
    _r(TRANSFER_STUDENT, "chuyển trường (xuất/nhận học bạ)", VICE_PRINCIPAL, ADMIN, CLERK),
    _r(VIEW_REPORTS, "xem báo cáo thống kê", VICE_PRINCIPAL, ADMIN, CLERK, HOMEROOM),
    _r(MANAGE_STAFF, "quản lý danh sách cán bộ, giáo viên", VICE_PRINCIPAL, ADMIN, CLERK),
    _r(ASSIGN_TEACHING, "phân công GVCN, GVBM", VICE_PRINCIPAL, ADMIN),
    # a GVCN edits only the pupils of their own class: checked by the service after require()
    _r(EDIT_PUPIL, "sửa hồ sơ học sinh", VICE_PRINCIPAL, ADMIN, CLERK, HOMEROOM),
    _r(EDIT_ALL_PUPILS, "sửa hồ sơ học sinh của mọi lớp", VICE_PRINCIPAL, ADMIN, CLERK),
    # Điều 11 khoản 1 điểm c: after the supplementary evaluation the principal decides
    _r(DECIDE_PROMOTION, "quyết định lên lớp / ở lại lớp"),
    _r(MANAGE_TRUST, "quản lý chứng thư số gốc tin cậy", VICE_PRINCIPAL, ADMIN),
    # "KT. Hiệu trưởng": only the principal hands the board's signature to a vice-principal
    _r(AUTHORISE_SIGNER, "ủy quyền ký học bạ cho Phó hiệu trưởng"),
    # a GVCN / GVBM reads only the classes she teaches (require_class); these read every class
    _r(VIEW_PUPILS, "xem danh sách, kết quả học sinh", VICE_PRINCIPAL, ADMIN, CLERK, HOMEROOM, SUBJECT),
    _r(VIEW_ALL_CLASSES, "xem học sinh của mọi lớp", VICE_PRINCIPAL, ADMIN, CLERK),
    # the staff list carries every teacher's CCCD
    _r(VIEW_STAFF, "xem danh sách cán bộ, giáo viên", VICE_PRINCIPAL, ADMIN, CLERK),
    # a backup is the whole database: the same people who restore one (EDIT_SETTINGS)
    _r(BACKUP_DATA, "sao lưu dữ liệu", VICE_PRINCIPAL, ADMIN),
    # trích lục: the office copies a paper year in; the principal then signs it (never a teacher:
    # a teacher entering a year she did not teach would present the copy as her own evaluation)
    _r(TRANSCRIBE_RECORD, "nhập trích lục từ học bạ giấy", VICE_PRINCIPAL, ADMIN, CLERK),
)}

# The order roles are named in a refusal: the person to ask first comes first.
_ROLE_ORDER = (CLERK, ARCHIVIST, SUBJECT, HOMEROOM, ADMIN, VICE_PRINCIPAL, PRINCIPAL)


def allowed(actor: Actor, action: str) -> bool:
    return actor.is_system or bool(actor.roles & RIGHTS[action].roles)


def reads_class(actor: Actor, class_id: int) -> bool:
    """Pupils' data of one class: everyone with VIEW_ALL_CLASSES, else the class's GVCN or a GVBM of
    it (the same "teaches the class" rule as a correction request, services.corrections)."""
    return allowed(actor, VIEW_ALL_CLASSES) or class_id in actor.homeroom_class_ids or any(
        c == class_id for c, _subject in actor.teaches)


def require_class(actor: Actor, class_id: int, class_name: str, action: str = VIEW_PUPILS) -> None:
    """require(action), then the class: a teacher reads her own classes only."""
    require(actor, action)
    if not reads_class(actor, class_id):
        raise PermissionDenied(f"{RIGHTS[action].name} lớp {class_name}",
                               "GVCN hoặc GVBM của lớp, hoặc " + needed_roles_text(RIGHTS[VIEW_ALL_CLASSES].roles))


def needed_roles_text(roles: frozenset[str]) -> str:
    names = [ROLE_NAMES[r] for r in _ROLE_ORDER if r in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " hoặc " + names[-1]


def require(actor: Actor, action: str, about: str = "") -> None:
    """Raise PermissionDenied ("Không có quyền … [about]: cần vai trò …") unless one of actor's roles
    may; `about` names the object (a year, a class) so the refusal says which."""
    right = RIGHTS[action]  # KeyError: a typo in a service, found by its first test
    if not allowed(actor, action):
        raise PermissionDenied(f"{right.name} {about}".strip(), needed_roles_text(right.roles))


def require_manage(actor: Actor, target_roles: frozenset[str] | set[str], *, action: str = MANAGE_ACCOUNTS,
                   board_can_log_in: bool = True) -> None:
    """Account (or staff, action=MANAGE_STAFF) management of someone with `target_roles`:
    high-level accounts need BGH (Điều 9).

    One exception, the first start: while no active principal or vice principal can log in
    (`board_can_log_in` False, see services.accounts.board_can_log_in), Ban quản trị may create and
    manage high-level accounts too — otherwise an install whose first account is Ban quản trị could
    never get a principal. The exception ends as soon as a principal or vice principal has a
    login; from then on Điều 9 holds for everyone, the first account included (a permanent
    exception would let the IT person create a second "principal" who approves and signs records).
    """
    require(actor, action)
    if not set(target_roles) & HIGH_LEVEL_ROLES or actor.is_system or actor.roles & HIGH_LEVEL_MANAGERS:
        return
    if not board_can_log_in and ADMIN in actor.roles:
        return
    raise PermissionDenied("quản lý tài khoản cấp cao (Hiệu trưởng, Phó hiệu trưởng, Ban quản trị)",
                           needed_roles_text(HIGH_LEVEL_MANAGERS))


def rights_of(actor: Actor) -> list[Right]:
    """What this person may do, for a "Quyền của tôi" view."""
    return [r for r in RIGHTS.values() if allowed(actor, r.action)]

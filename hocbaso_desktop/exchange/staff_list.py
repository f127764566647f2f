"""Read a staff list (.xlsx): the CSDL ngành export "CSDL_GiaoVien" or our own blank template.

The ministry's export has about 72 columns whose order and wording change between template
versions, a title block above the header, and many columns we do not use. So the header is found
by its names (a staff list has both "Họ tên" and "Email"; a class list has no Email column),
columns are matched on a normalised key in any order, and everything else is ignored. Each data
row becomes typed values plus the problems found in it, each naming its row ("dòng 7: …").
Nothing here touches the database: services/staff_import.py compares and writes.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..domain.errors import HocbasoError, InputFileError
from ..domain.identity import check_personal_id
from ..domain.roles import ARCHIVIST, CLERK, HOMEROOM, PRINCIPAL, ROLE_BY_NAME, ROLE_NAMES, SUBJECT, VICE_PRINCIPAL
from ..domain.text import clean, fold, hidden_char_problem, reveal
from ..domain.typed_dates import parse_date
from .class_list_columns import header_key
from .class_list_values import display, is_excel_error, parse_personal_id, parse_sex
from .problems import ERROR, WARNING, ProblemSummary
from .xlsx_guard import damaged, open_xlsx

MAX_ROWS = 2_000  # staff of one school: a few dozen; a district is not imported here
MAX_COLS = 150  # the export has ~72; room for later template versions
HEADER_SCAN = 40
MAX_BLANK_RUN = 200
ACTIVE_STATUS = "Đang làm việc"

_ACTIVE_KEYS = {"danglamviec", "dangcongtac"}
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")  # as services.accounts.valid_code

FIELD_LABELS = {
    "code": "Mã cán bộ", "full_name": "Họ tên", "birth_date": "Ngày sinh", "sex": "Giới tính",
    "personal_id": "Số định danh", "email": "Email", "status": "Trạng thái CB", "job": "Vị trí việc làm",
    "group": "Nhóm chức vụ", "position": "Chức vụ", "subjects": "Môn dạy", "roles": "Vai trò",
}

_KEYS: dict[str, str] = {}


def _add(f: str, *keys: str) -> None:
    for k in keys:
        _KEYS[k] = f


_add("code", "macanbo", "macb", "magiaovien", "magv", "manhanvien", "manv", "macanbogiaovien", "macbgv")
_add("full_name", "hoten", "hovaten", "hotencanbo", "hovatencanbo", "hotengiaovien", "hovatengiaovien")
_add("birth_date", "ngaysinh", "ngaythangnamsinh", "sinhngay")
_add("sex", "gioitinh", "gt")
_add("personal_id", "socccd", "cccd", "sodinhdanhcanhan", "madinhdanhcanhan", "sodinhdanh", "socancuoc",
     "socancuoccongdan", "cancuoccongdan", "socccdsodinhdanhcanhan", "sodinhdanhcanhansocccd", "cccdsodinhdanh",
     "socccdsodinhdanh", "madinhdanh", "sodddcn")
_add("email", "email", "thudientu", "diachiemail", "diachithudientu", "emailcanbo")
_add("status", "trangthaicb", "trangthaicanbo", "trangthai", "trangthailamviec", "tinhtranglamviec")
_add("job", "vitrivieclam", "vitri")
_add("group", "nhomchucvu")
_add("position", "chucvu", "chucvuhientai", "chucvuchinhquyen")
_add("subjects", "monday", "monhocgiangday", "mongiangday", "mondaychinh", "monhocday")
_add("roles", "vaitro", "vaitrotrongphanmem")

IGNORED_QUIET = {"stt", "tt", "sothutu", "ghichu"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row (or with the header row, for a missing column)."""

    severity: str  # ERROR blocks the whole import, WARNING does not
    row: int  # as Excel shows it
    text: str  # the whole sentence after "dòng N: "
    field: str = ""
    cell: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self) -> str:
        return f"dòng {self.row}: {self.text}" if self.is_error else f"dòng {self.row} (cảnh báo): {self.text}"


@dataclass(frozen=True)
class StaffData:
    """Values of one row. None: the column is absent or the cell empty — keep what the database has."""

    row: int
    full_name: str
    code: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    personal_id: str | None = None
    email: str | None = None
    position: str | None = None
    subjects_text: str | None = None
    roles: tuple[str, ...] | None = None  # None: no role could be read (kept as is for existing staff)
    status: str = ACTIVE_STATUS  # as the file says it
    active: bool = True  # "Đang làm việc" (or no status column)


@dataclass
class StaffList(ProblemSummary):
    path: Path
    kind: str = ""  # "csdl" (the ministry's export) or "template" (ours)
    header_row: int = 0
    rows: list[StaffData] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


# --- roles from the position texts -----------------------------------------------------------
# Order matters: "phó hiệu trưởng" contains "hiệu trưởng", "nhân viên thư viện" contains "nhân viên".
_ROLE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("phohieutruong", (VICE_PRINCIPAL,)),
    ("hieutruong", (PRINCIPAL,)),
    ("thuvien", (ARCHIVIST,)),
    ("luutru", (ARCHIVIST,)),
    ("vanthu", (CLERK,)),
    ("ketoan", (CLERK,)),
    ("vanphong", (CLERK,)),
    ("giaovien", (HOMEROOM, SUBJECT)),
    ("tongphutrach", (HOMEROOM, SUBJECT)),
)


def roles_for_position(text: str | None) -> tuple[str, ...]:
    """Hiệu trưởng → principal, Phó hiệu trưởng → vice_principal, giáo viên → GVCN + GVBM,
    văn thư / kế toán / văn phòng → clerk, thư viện / lưu trữ → archivist; anything else → ()."""
    key = fold(text or "")
    for needle, roles in _ROLE_RULES:
        if needle in key:
            return roles
    return ()


def parse_roles(text: str) -> tuple[tuple[str, ...], list[str]]:
    """"GVCN, GVBM" or "homeroom;subject" → role codes, and the parts not understood."""
    by_fold = {fold(n): r for n, r in ROLE_BY_NAME.items()} | {fold(r): r for r in ROLE_NAMES}
    out: list[str] = []
    bad: list[str] = []
    for part in re.split(r"[,;+/]", text):
        part = clean(part)
        if not part:
            continue
        r = by_fold.get(fold(part))
        if r is None:
            bad.append(part)
        elif r not in out:
            out.append(r)
    return tuple(out), bad


# --- reading -----------------------------------------------------------------------------------
def classify_header(texts: list[tuple[int, str]]) -> tuple[dict[str, int], list[str]]:
    cols: dict[str, int] = {}
    unknown: list[str] = []
    for c, t in texts:
        key = header_key(t)
        f = _KEYS.get(key)
        if f is None:
            # "Số CCCD/Số định danh cá nhân (*)", "Email (bắt buộc)": notes and slashes vary by version
            if key.startswith("socccd") or "dinhdanhcanhan" in key:
                f = "personal_id"
            elif key.startswith("hoten") or key.startswith("hovaten"):
                f = "full_name"
            elif key.startswith("ngaysinh"):
                f = "birth_date"
            elif key.startswith("email"):
                f = "email"
            elif key.startswith("trangthai"):
                f = "status"
        if f is not None and f not in cols:
            cols[f] = c
        elif key and key not in IGNORED_QUIET:
            unknown.append(t)
    return cols, unknown


def is_staff_header(cols: dict[str, int]) -> bool:
    return "full_name" in cols and "email" in cols


def read_staff_list(path: str | Path, *, max_rows: int = MAX_ROWS) -> StaffList:
    """Read and validate every row; problems name their row. Raises InputFileError when the file
    cannot be read at all or holds no staff list."""
    p = Path(path)
    wb = open_xlsx(p)
    out = StaffList(p)
    try:
        for ws in wb.worksheets:
            try:
                if _read_sheet(ws, out, max_rows):
                    break
            except (HocbasoError, MemoryError):
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, TypeError, AttributeError,
                    IndexError, SyntaxError, NotImplementedError, zlib.error) as e:
                raise damaged(p) from e
    finally:
        wb.close()
    if not out.header_row:
        raise InputFileError(
            f"Không tìm thấy danh sách cán bộ trong tệp {p.name}: cần một dòng tiêu đề có các cột «Họ tên» và "
            "«Email» (tệp xuất từ CSDL ngành, mục Cán bộ → Xuất Excel, hoặc tệp mẫu «hocbaso template-staff»).",
            path=str(p))
    if not out.rows and not out.errors:
        raise InputFileError(f"Tệp {p.name} không có cán bộ nào (chỉ có dòng tiêu đề).", path=str(p))
    _check_duplicates(out)
    out.problems.sort(key=lambda x: (x.row, x.field))
    return out


def _read_sheet(ws: object, out: StaffList, max_rows: int) -> bool:
    cols: dict[str, int] | None = None
    labels: dict[int, str] = {}
    blank = 0
    for idx, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLS), start=1):  # type: ignore[attr-defined]
        if cols is None:
            if idx > HEADER_SCAN:
                return False
            texts = [(c, clean(str(v))) for c, v in enumerate(values) if isinstance(v, str) and v.strip()]
            found, unknown = classify_header(texts)
            if not is_staff_header(found):
                continue
            cols, labels = found, dict(texts)
            out.header_row = idx
            out.kind = "template" if "roles" in cols else "csdl"
            out.ignored_columns = unknown
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            blank += 1
            if blank > MAX_BLANK_RUN:
                break
            continue
        blank = 0
        raw = {f: (values[c] if c < len(values) else None) for f, c in cols.items()}
        if not any(display(v) for v in raw.values()):
            continue  # only columns we do not read (STT…): a prefilled template row
        if _is_footer(raw):
            break
        if display(raw.get("full_name")) and header_key(raw.get("full_name")) in ("hoten", "hovaten"):
            continue  # the header repeated on a printed page
        _RowReader(out, idx, raw, cols, labels).read()
        if len(out.rows) > max_rows:
            raise InputFileError(f"Tệp có hơn {max_rows} cán bộ: không phải danh sách của một trường.",
                                 path=str(out.path))
    return cols is not None


_FOOTER = re.compile(r"^(nguoilapbieu|hieutruong|thutruongdonvi|ngay\d*thang\d*nam|tongso|tongcong)")


def _is_footer(raw: dict[str, object]) -> bool:
    """Signature lines below the table: a row whose only text sits outside our columns, or a
    "Người lập biểu" in the name column."""
    name = raw.get("full_name")
    return isinstance(name, str) and bool(_FOOTER.match(header_key(name))) and not display(raw.get("email"))


class _RowReader:
    def __init__(self, out: StaffList, idx: int, raw: dict[str, object], cols: dict[str, int],
                 labels: dict[int, str]) -> None:
        self.out, self.idx, self.raw, self.cols, self.labels = out, idx, raw, cols, labels
        self.failed = False
        self.refused: set[str] = set()  # cells already reported: no second "thiếu …" for them

    def label(self, f: str) -> str:
        c = self.cols.get(f)
        return self.labels.get(c, FIELD_LABELS[f]) if c is not None else FIELD_LABELS[f]

    def cell(self, f: str) -> str:
        from openpyxl.utils import get_column_letter

        c = self.cols.get(f)
        return f"{get_column_letter(c + 1)}{self.idx}" if c is not None else ""

    def problem(self, severity: str, f: str, text: str) -> None:
        if severity == ERROR:
            self.failed = True
        self.out.problems.append(Problem(severity, self.idx, text, f, self.cell(f)))

    def invalid(self, f: str, value: object, reason: str) -> None:
        self.problem(ERROR, f, f"{self.label(f)} «{display(value)}» không hợp lệ: {reason}")

    def value(self, f: str) -> object:
        v = self.raw.get(f)
        if is_excel_error(v):
            self.invalid(f, v, "ô báo lỗi công thức")
            return None
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if isinstance(v, str) and (why := hidden_char_problem(v)):
            # bidi overrides, zero-width and control characters, digits other than 0-9: the row is refused
            self.invalid(f, reveal(v), why)
            self.refused.add(f)
            return None
        return v

    def text(self, f: str, limit: int) -> str | None:
        v = self.value(f)
        if v is None:
            return None
        t = display(v)
        if len(t) > limit:
            self.invalid(f, t[:30] + "…", f"dài quá {limit} ký tự")
            return None
        return t

    def read(self) -> None:
        name = self.text("full_name", 150)
        if not name and "full_name" not in self.refused:
            self.problem(ERROR, "full_name", f"thiếu họ tên (cột «{self.label('full_name')}»)")
        code = self.text("code", 20)
        if code is not None:
            code = code.upper()
            if not CODE_RE.fullmatch(code):
                self.invalid("code", code, "1-20 ký tự: chữ không dấu, số, dấu chấm, gạch nối hoặc gạch dưới")
                code = None
        birth = None
        v = self.value("birth_date")
        if v is not None:
            birth, reason = parse_date(v)
            if birth is None:
                self.invalid("birth_date", v, reason)
            elif not 1940 <= birth.year <= date.today().year - 16:
                self.invalid("birth_date", v, f"năm sinh {birth.year} không phù hợp với cán bộ, giáo viên")
                birth = None
        sex = None
        v = self.value("sex")
        if v is not None:
            sex, reason = parse_sex(v)
            if sex is None:
                self.invalid("sex", v, reason)
        pid = None
        v = self.value("personal_id")
        if v is not None:
            pid, reason, _restored = parse_personal_id(v)
            if pid is None:
                self.invalid("personal_id", v, reason.replace("Mã định danh", "số định danh"))
            else:
                check = check_personal_id(pid, birth, sex)
                for e in check.errors:
                    self.invalid("personal_id", pid, e)
                for w in check.warnings:
                    self.problem(WARNING, "personal_id", f"{self.label('personal_id')} «{pid}»: {w}")
                if not check.ok:
                    pid = None
        email = self.text("email", 150)
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            self.problem(WARNING, "email", f"{self.label('email')} «{email}» không giống địa chỉ thư điện tử")
        status = self.text("status", 60) or ACTIVE_STATUS
        active = fold(status) in _ACTIVE_KEYS
        subjects = self.text("subjects", 200)
        position, roles = self._position_and_roles()
        if not self.failed and name:
            self.out.rows.append(StaffData(self.idx, name, code, birth, sex, pid, email, position, subjects, roles,
                                           status, active))

    def _position_and_roles(self) -> tuple[str | None, tuple[str, ...] | None]:
        texts = {f: self.text(f, 100) for f in ("position", "group", "job")}
        roles: tuple[str, ...] | None = None
        position: str | None = None
        for f in ("position", "group", "job"):
            r = roles_for_position(texts[f])
            if r:
                roles, position = r, texts[f]
                break
        if position is None:
            position = texts["position"] or texts["job"] or texts["group"]
        given = self.text("roles", 200)
        if given:
            parsed, bad = parse_roles(given)
            if bad:
                self.invalid("roles", ", ".join(bad), "vai trò có thể là: " + ", ".join(ROLE_NAMES.values()))
            if parsed:
                roles = parsed
        if roles is None and (position or "roles" not in self.cols):
            shown = position or ""
            self.problem(WARNING, "position", f"chức vụ «{shown}» không ứng với vai trò nào trong phần mềm: "
                                              "cán bộ được nhập không có vai trò (gán vai trò bằng tay nếu cần)")
        return position, roles


def _check_duplicates(out: StaffList) -> None:
    """The same personal ID (or the same staff code) on two rows: both rows named, both refused."""
    for attr, label in (("personal_id", "số định danh"), ("code", "mã cán bộ")):
        seen: dict[str, list[StaffData]] = {}
        for r in out.rows:
            v = getattr(r, attr)
            if v:
                seen.setdefault(v, []).append(r)
        for v, rows in seen.items():
            if len(rows) < 2:
                continue
            for r in rows:
                others = ", ".join(f"dòng {o.row}" for o in rows if o is not r)
                out.problems.append(Problem(ERROR, r.row, f"{label} «{v}» trùng với {others} trong tệp", attr))

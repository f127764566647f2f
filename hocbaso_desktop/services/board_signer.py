"""Who signs the school's records for the board: the principal, or the vice-principal they authorised.

A record names the board member who signs it (`tengiamhieu`, `soddcngiamhieu`, `chucvugiamhieu`) in
the content the GVCN's signature already covers, so the signer must be decided before the first
signature goes on, not by whoever happens to plug in a token later. The principal decides, once for
the school, with an audited setting (KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG, paper-form §2.3):

- no authorisation: the active principal signs, and the record says "Hiệu trưởng";
- an authorised vice-principal: the records built from then on name that person as "Phó hiệu
  trưởng", and only that person may sign in the board's role (signing_plan.plan_signing).

Changing the authorisation changes the content of every record not yet issued, so the planner's
content comparison voids their partial signatures (they go back to draft and are signed again):
a GVCN's signature never vouches for a board signer it did not see. Issued records keep the name
they were signed with. An authorisation lapses by itself when the vice-principal leaves or loses
the role: the principal is named again, never somebody unauthorised.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.errors import InvalidValue, NotFound
from ..domain.record_data import Person
from ..domain.rights import AUTHORISE_SIGNER, require
from ..domain.roles import PRINCIPAL, VICE_PRINCIPAL, Actor
from ..storage.engine import Store, Tx
from ..storage.models import Staff, StaffRole
from . import settings

POSITION = {PRINCIPAL: "Hiệu trưởng", VICE_PRINCIPAL: "Phó hiệu trưởng"}


@dataclass(frozen=True)
class BoardSigner:
    staff_id: int
    code: str
    person: Person  # as the record writes it: name, CCCD, position
    authorised: bool  # a vice-principal signing for the principal


def _holder(s: Session, role: str, code: str | None = None) -> Staff | None:
    q = (select(Staff).join(StaffRole, StaffRole.staff_id == Staff.id)
         .where(StaffRole.role == role, Staff.active.is_(True)).order_by(Staff.id))
    if code is not None:
        q = q.where(func.upper(Staff.code) == code.upper())
    return s.execute(q).scalars().first()


def _signer(st: Staff, role: str) -> BoardSigner:
    return BoardSigner(st.id, st.code, Person(st.full_name, st.personal_id or "", POSITION[role]), role == VICE_PRINCIPAL)


def board_signer_in(s: Session) -> BoardSigner | None:
    """The person the school's records name as their board signer now (None: no principal yet)."""
    code = settings.read(s, settings.BOARD_SIGNER)
    if code:
        vice = _holder(s, VICE_PRINCIPAL, code)
        if vice is not None:
            return _signer(vice, VICE_PRINCIPAL)
    principal = _holder(s, PRINCIPAL)
    return _signer(principal, PRINCIPAL) if principal is not None else None


def board_signer(store: Store) -> BoardSigner | None:
    with store.read() as s:
        return board_signer_in(s)


def principal_name(store: Store) -> str:
    """The active principal's full name ("" while the school has none), for the lines a form prints."""
    with store.read() as s:
        st = _holder(s, PRINCIPAL)
        return st.full_name if st is not None else ""


def choices_in(s: Session) -> tuple[tuple[str, str], ...]:
    """(staff code, label) of who may be named: "" for the principal, then each active vice-principal."""
    principal = _holder(s, PRINCIPAL)
    out = [("", f"Hiệu trưởng {principal.full_name} ({principal.code})" if principal else "Hiệu trưởng")]
    vices = s.execute(select(Staff).join(StaffRole, StaffRole.staff_id == Staff.id)
                      .where(StaffRole.role == VICE_PRINCIPAL, Staff.active.is_(True)).order_by(Staff.code)).scalars()
    out += [(v.code, f"KT. Hiệu trưởng — Phó hiệu trưởng {v.full_name} ({v.code})") for v in vices]
    return tuple(out)


def authorisation_in(s: Session) -> str:
    """The staff code of the authorised vice-principal in force ("" when the principal signs)."""
    signer = board_signer_in(s)
    return signer.code if signer is not None and signer.authorised else ""


def write_authorisation(tx: Tx, actor: Actor, code: str | None) -> bool:
    """Inside the caller's transaction (the settings screen's "Lưu" or the CLI); True when it changed."""
    require(actor, AUTHORISE_SIGNER)
    wanted = (code or "").strip()
    if wanted == "-":
        wanted = ""
    if wanted:
        st = tx.session.execute(select(Staff).where(func.upper(Staff.code) == wanted.upper())).scalars().first()
        if st is None:
            raise NotFound(f"Không có cán bộ mã «{wanted}» (xem «hocbaso staff»)")
        if not st.active:
            raise InvalidValue("người được ủy quyền ký", wanted, f"{st.full_name} đã nghỉ, không ký được")
        if _holder(tx.session, VICE_PRINCIPAL, wanted) is None:
            raise InvalidValue("người được ủy quyền ký", wanted,
                               f"{st.full_name} không phải Phó hiệu trưởng: chỉ ủy quyền ký cho Phó hiệu trưởng")
        wanted = st.code
    return settings.write(tx.session, tx.audit, settings.BOARD_SIGNER, wanted or None)


def authorise(store: Store, actor: Actor, code: str | None) -> BoardSigner | None:
    """The principal authorises vice-principal `code` to sign (None or "-": the principal signs again)."""
    require(actor, AUTHORISE_SIGNER)
    with store.transaction(actor.code) as tx:
        write_authorisation(tx, actor, code)
        return board_signer_in(tx.session)


def signing_refusal(signer: BoardSigner | None, staff_id: int) -> str | None:
    """Why the staff member `staff_id` may not sign in the board's role now (None: they may)."""
    if signer is None:
        return "trường chưa có Hiệu trưởng đang công tác trong danh sách cán bộ"
    if signer.staff_id == staff_id:
        return None
    if signer.authorised:
        return (f"Hiệu trưởng đã ủy quyền cho Phó hiệu trưởng {signer.person.full_name} ký học bạ: học bạ ghi người "
                "ký là người đó. Hiệu trưởng hủy ủy quyền bằng «hocbaso settings set board-signer - --as MÃ_HT»")
    return (f"học bạ ghi người ký là Hiệu trưởng {signer.person.full_name}; Phó hiệu trưởng chỉ ký khi được Hiệu "
            "trưởng ủy quyền («hocbaso settings set board-signer MÃ_PHT --as MÃ_HT»)")

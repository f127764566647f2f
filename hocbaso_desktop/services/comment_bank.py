"""Ngân hàng nhận xét: suggestions per subject / quality group and level, editable by the school."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..domain import rights
from ..domain.errors import InvalidValue, NotFound
from ..domain.roles import Actor
from ..domain.text import clean
from ..storage.engine import Store
from ..storage.models import CommentBank

ANY_SUBJECT = "*"


@dataclass(frozen=True)
class Suggestion:
    id: int
    target: str
    level: str
    text: str


def suggestions(store: Store, target: str, level: str | None = None) -> list[Suggestion]:
    """For a subject code (falls back to the generic subject list) or a group PC/NLC/NLD."""
    with store.read() as s:
        q = select(CommentBank)
        if target in ("PC", "NLC", "NLD"):
            q = q.where(CommentBank.target == target)
        else:
            q = q.where(or_(CommentBank.target == target, CommentBank.target == ANY_SUBJECT))
        if level:
            q = q.where(CommentBank.level == level)
        rows = s.execute(q.order_by(CommentBank.target.desc(), CommentBank.level, CommentBank.id)).scalars().all()
        # subject-specific suggestions first, then the generic ones
        ordered = sorted(rows, key=lambda r: (r.target == ANY_SUBJECT, r.level, r.id))
        return [Suggestion(r.id, r.target, r.level, r.text) for r in ordered]


def add(store: Store, actor: Actor, target: str, level: str, text: str) -> Suggestion:
    rights.require(actor, rights.EDIT_COMMENT_BANK)
    t = clean(text)
    if not t:
        raise InvalidValue("Nhận xét", text, "không được để trống")
    if level not in ("T", "H", "C", "Đ"):
        raise InvalidValue("Mức", level, "phải là T, H, Đ hoặc C")
    with store.transaction(actor.code) as tx:
        row = CommentBank(target=target, level=level, text=t)
        tx.session.add(row)
        tx.session.flush()
        tx.audit("comment_bank.add", "comment_bank", row.id, {"target": target, "level": level, "text": t})
        return Suggestion(row.id, target, level, t)


def remove(store: Store, actor: Actor, suggestion_id: int) -> None:
    rights.require(actor, rights.EDIT_COMMENT_BANK)
    with store.transaction(actor.code) as tx:
        row = tx.session.get(CommentBank, suggestion_id)
        if row is None:
            raise NotFound(f"Không có nhận xét #{suggestion_id}")
        tx.audit("comment_bank.remove", "comment_bank", row.id, {"target": row.target, "level": row.level, "text": row.text})
        tx.session.delete(row)

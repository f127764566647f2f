"""issued record: its status note cannot change while it stays issued

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:00:00

0002 let an issued record move to replaced/withdrawn with a reason and a time, but also let the
reason and time change while the record stayed issued. Found by the random-attempts test of the
signing issue: an issued record's note is part of what was issued; it changes only with the move.
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TRIGGER = """CREATE TRIGGER record_issued_note_immutable BEFORE UPDATE ON record
   WHEN OLD.status = 'issued' AND NEW.status = 'issued' AND (
        NEW.status_reason IS NOT OLD.status_reason OR NEW.status_changed_at IS NOT OLD.status_changed_at)
   BEGIN SELECT RAISE(ABORT, 'record is issued and immutable'); END"""


def upgrade() -> None:
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS record_issued_note_immutable")

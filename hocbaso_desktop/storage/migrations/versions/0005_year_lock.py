"""a locked school year refuses changes in the database itself

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:00:00

services/locks.py tells the user why an edit of a locked year is refused; these triggers make the
refusal hold for anyone with the file and sqlite3 too (reliability.md). A student whose issued
record was opened by an approved correction (an active record_unlock row) stays writable: that is
the one way a locked year changes (seed 004, Điều 3 and 8). Students left waiting for a
supplementary evaluation are finished the same way, or by unlocking the year (principal + reason).
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_LOCKED = ("EXISTS (SELECT 1 FROM enrolment e JOIN school_year y ON y.id = e.year_id "
           "WHERE e.id = {e} AND y.locked = 1) "
           "AND NOT EXISTS (SELECT 1 FROM record_unlock u WHERE u.enrolment_id = {e} AND u.active = 1)")
_ABORT = "BEGIN SELECT RAISE(ABORT, 'school year is locked'); END"
EVALUATION_TABLES = ("subject_evaluation", "quality_evaluation", "period_summary", "year_result", "record")

TRIGGERS: list[str] = []
for _t in EVALUATION_TABLES:
    TRIGGERS += [
        f"CREATE TRIGGER {_t}_year_locked_no_insert BEFORE INSERT ON {_t} "
        f"WHEN {_LOCKED.format(e='NEW.enrolment_id')} {_ABORT}",
        f"CREATE TRIGGER {_t}_year_locked_no_update BEFORE UPDATE ON {_t} "
        f"WHEN ({_LOCKED.format(e='OLD.enrolment_id')}) OR ({_LOCKED.format(e='NEW.enrolment_id')}) {_ABORT}",
        f"CREATE TRIGGER {_t}_year_locked_no_delete BEFORE DELETE ON {_t} "
        f"WHEN {_LOCKED.format(e='OLD.enrolment_id')} {_ABORT}",
    ]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")

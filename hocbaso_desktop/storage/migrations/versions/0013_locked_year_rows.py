"""a locked school year's classes, enrolments and teaching assignments do not change either

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 22:20:00

Issue 15: "nothing imports into a locked year". 0005 froze a locked year's evaluations and records;
the class list behind them (which pupils are in which class, the class itself, who teaches it) was
guarded only by the services. These triggers make it hold for anyone with the file and sqlite3:
no class, enrolment or teaching assignment of a locked year is added, changed or removed.
Exceptions, the same as 0005's: an enrolment opened by an approved correction (active
record_unlock), and an enrolment's status and leaving date (a pupil may still transfer out or leave
after the year closed: that is a later event, not a change of the year). Unlocking the year
(principal + reason, audited) is the way to change the rest.
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ABORT = "BEGIN SELECT RAISE(ABORT, 'school year is locked'); END"
_YEAR = "EXISTS (SELECT 1 FROM school_year y WHERE y.id = {y} AND y.locked = 1)"
_CLASS_YEAR = ("EXISTS (SELECT 1 FROM school_class c JOIN school_year y ON y.id = c.year_id "
               "WHERE c.id = {c} AND y.locked = 1)")
_UNLOCKED = "EXISTS (SELECT 1 FROM record_unlock u WHERE u.enrolment_id = {e} AND u.active = 1)"
# what an enrolment of a locked year may not change (status and left_on stay free)
_ENROLMENT_FIELDS = ("student_id", "year_id", "class_id", "joined_on", "optional_subjects", "exempt_subjects")

TRIGGERS = [
    f"CREATE TRIGGER school_class_year_locked_no_insert BEFORE INSERT ON school_class "
    f"WHEN {_YEAR.format(y='NEW.year_id')} {ABORT}",
    f"CREATE TRIGGER school_class_year_locked_no_update BEFORE UPDATE ON school_class "
    f"WHEN {_YEAR.format(y='OLD.year_id')} OR {_YEAR.format(y='NEW.year_id')} {ABORT}",
    f"CREATE TRIGGER school_class_year_locked_no_delete BEFORE DELETE ON school_class "
    f"WHEN {_YEAR.format(y='OLD.year_id')} {ABORT}",
    f"CREATE TRIGGER enrolment_year_locked_no_insert BEFORE INSERT ON enrolment "
    f"WHEN {_YEAR.format(y='NEW.year_id')} {ABORT}",
    f"CREATE TRIGGER enrolment_year_locked_no_update BEFORE UPDATE OF {', '.join(_ENROLMENT_FIELDS)} ON enrolment "
    f"WHEN ({_YEAR.format(y='OLD.year_id')} OR {_YEAR.format(y='NEW.year_id')}) "
    f"AND NOT {_UNLOCKED.format(e='OLD.id')} {ABORT}",
    f"CREATE TRIGGER enrolment_year_locked_no_delete BEFORE DELETE ON enrolment "
    f"WHEN {_YEAR.format(y='OLD.year_id')} {ABORT}",
    f"CREATE TRIGGER teaching_assignment_year_locked_no_insert BEFORE INSERT ON teaching_assignment "
    f"WHEN {_CLASS_YEAR.format(c='NEW.class_id')} {ABORT}",
    f"CREATE TRIGGER teaching_assignment_year_locked_no_update BEFORE UPDATE ON teaching_assignment "
    f"WHEN {_CLASS_YEAR.format(c='OLD.class_id')} OR {_CLASS_YEAR.format(c='NEW.class_id')} {ABORT}",
    f"CREATE TRIGGER teaching_assignment_year_locked_no_delete BEFORE DELETE ON teaching_assignment "
    f"WHEN {_CLASS_YEAR.format(c='OLD.class_id')} {ABORT}",
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")

"""issued means frozen: the identity and class rows an issued record was built from

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:30:00

Issue 15: an import renamed an issued pupil and moved him to another class. Like the evaluation
rows (0002), the rows an issued record states cannot change while the record is issued and not
opened for a correction (an active record_unlock, given by the principal's approval):
- student: the identity the record prints (name, birth, sex, ethnicity, nationality, places,
  parents, IDs, individual plan) — while any record of the pupil is issued and none of the pupil's
  enrolments is opened for a correction (the correction workflow then changes them);
- enrolment: class, the year's optional and exempt subjects, joining date (status stays free: a
  pupil with an issued record may still transfer out or leave);
- school_class: name, grade, homeroom teacher, year, the class's optional subjects;
- school: name, MOET code, province, district, commune, address;
- staff: full name and personal ID of someone named in an issued record (a signer, the GVCN of its
  class, the principal).
Deleting any of these rows behind an issued record is refused too. Only UPDATE/DELETE are
guarded: new pupils, new enrolments (next year, a transfer in) and new staff remain possible.
services/frozen.py gives the user the reason first; these hold for anyone with the file and sqlite3.
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ABORT = "BEGIN SELECT RAISE(ABORT, 'issued rows are frozen'); END"
# an issued record of enrolment {e}, not opened for a correction
_OPEN = "NOT EXISTS (SELECT 1 FROM record_unlock u WHERE u.enrolment_id = {e} AND u.active = 1)"
_ENROLMENT = ("EXISTS (SELECT 1 FROM record r WHERE r.enrolment_id = {e} AND r.status = 'issued' AND "
              + _OPEN.format(e="r.enrolment_id") + ")")
_STUDENT = ("(EXISTS (SELECT 1 FROM record r WHERE r.student_id = {s} AND r.status = 'issued') AND NOT EXISTS "
            "(SELECT 1 FROM record_unlock u JOIN enrolment e ON e.id = u.enrolment_id "
            "WHERE e.student_id = {s} AND u.active = 1))")
_CLASS = ("EXISTS (SELECT 1 FROM enrolment e JOIN record r ON r.enrolment_id = e.id "
          "WHERE e.class_id = {c} AND r.status = 'issued' AND " + _OPEN.format(e="e.id") + ")")
_ANY = "EXISTS (SELECT 1 FROM record r WHERE r.status = 'issued' AND " + _OPEN.format(e="r.enrolment_id") + ")"
_STAFF = ("(EXISTS (SELECT 1 FROM record_signature g JOIN record r ON r.id = g.record_id "
          "WHERE g.staff_id = {p} AND r.status = 'issued' AND " + _OPEN.format(e="r.enrolment_id") + ") "
          "OR EXISTS (SELECT 1 FROM school_class c JOIN enrolment e ON e.class_id = c.id "
          "JOIN record r ON r.enrolment_id = e.id WHERE c.homeroom_id = {p} AND r.status = 'issued' AND "
          + _OPEN.format(e="e.id") + ") "
          "OR (EXISTS (SELECT 1 FROM staff_role sr WHERE sr.staff_id = {p} AND sr.role = 'principal') AND "
          + _ANY + "))")

STUDENT_COLUMNS = ("personal_id", "moet_code", "lookup_code", "full_name", "birth_date", "sex", "ethnicity_code",
                   "nationality", "birthplace", "hometown", "address", "father_name", "mother_name",
                   "guardian_name", "not_assessed", "id")
# status and left_on stay free: a pupil whose record is issued may still transfer out or leave
# (the transfer workflow records it; the issued record itself does not change).
ENROLMENT_COLUMNS = ("student_id", "year_id", "class_id", "joined_on", "optional_subjects",
                     "exempt_subjects", "id")
CLASS_COLUMNS = ("year_id", "name", "grade", "homeroom_id", "optional_subjects", "id")
SCHOOL_COLUMNS = ("name", "moet_code", "province", "district", "commune", "address", "id")
STAFF_COLUMNS = ("full_name", "personal_id", "id")


def _changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


TRIGGERS = [
    f"CREATE TRIGGER student_issued_frozen BEFORE UPDATE ON student "
    f"WHEN {_changed(STUDENT_COLUMNS)} AND {_STUDENT.format(s='OLD.id')} {ABORT}",
    f"CREATE TRIGGER student_issued_no_delete BEFORE DELETE ON student "
    f"WHEN EXISTS (SELECT 1 FROM record r WHERE r.student_id = OLD.id AND r.status IN ('issued', 'replaced', 'withdrawn')) {ABORT}",
    f"CREATE TRIGGER enrolment_issued_frozen BEFORE UPDATE ON enrolment "
    f"WHEN {_changed(ENROLMENT_COLUMNS)} AND {_ENROLMENT.format(e='OLD.id')} {ABORT}",
    f"CREATE TRIGGER enrolment_issued_no_delete BEFORE DELETE ON enrolment "
    f"WHEN EXISTS (SELECT 1 FROM record r WHERE r.enrolment_id = OLD.id AND r.status IN ('issued', 'replaced', 'withdrawn')) {ABORT}",
    f"CREATE TRIGGER school_class_issued_frozen BEFORE UPDATE ON school_class "
    f"WHEN {_changed(CLASS_COLUMNS)} AND {_CLASS.format(c='OLD.id')} {ABORT}",
    f"CREATE TRIGGER school_class_issued_no_delete BEFORE DELETE ON school_class "
    f"WHEN EXISTS (SELECT 1 FROM enrolment e JOIN record r ON r.enrolment_id = e.id WHERE e.class_id = OLD.id "
    f"AND r.status IN ('issued', 'replaced', 'withdrawn')) {ABORT}",
    f"CREATE TRIGGER school_issued_frozen BEFORE UPDATE ON school WHEN {_changed(SCHOOL_COLUMNS)} AND {_ANY} {ABORT}",
    f"CREATE TRIGGER school_issued_no_delete BEFORE DELETE ON school WHEN {_ANY} {ABORT}",
    f"CREATE TRIGGER staff_issued_frozen BEFORE UPDATE ON staff "
    f"WHEN {_changed(STAFF_COLUMNS)} AND {_STAFF.format(p='OLD.id')} {ABORT}",
    f"CREATE TRIGGER staff_issued_no_delete BEFORE DELETE ON staff WHEN {_STAFF.format(p='OLD.id')} {ABORT}",
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")

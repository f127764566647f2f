"""received periods: the evaluations a mid-year transfer brings from the old school

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 02:00:00

Issue 17: a pupil transferred mid-year keeps the periods (GK1, CK1, GK2) already evaluated at the old
school. The sealed transfer package carries them; the receiving school writes them into the ordinary
evaluation tables (so the grid, the year-end proposal and the record read them as any period) and one
row here per (enrolment, period) names the school they came from and the package. Those rows never
change, and while one names a period, the evaluation rows of that enrolment and period cannot be
inserted, changed or deleted either — the service refuses first, with a Vietnamese message; the
triggers hold for anyone with the file and sqlite3.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_CARRIED = ("EXISTS (SELECT 1 FROM received_period p WHERE p.enrolment_id = {row}.enrolment_id "
            "AND p.period = {row}.period)")
_ABORT = "BEGIN SELECT RAISE(ABORT, '{}'); END"
_EVAL_TABLES = ("subject_evaluation", "quality_evaluation", "period_summary")

TRIGGERS = [
    f"CREATE TRIGGER received_period_no_update BEFORE UPDATE ON received_period {_ABORT.format('received periods are immutable')}",
    f"CREATE TRIGGER received_period_no_delete BEFORE DELETE ON received_period {_ABORT.format('received periods are never deleted')}",
]
for _t in _EVAL_TABLES:
    _msg = "this period was evaluated at the old school (received by transfer): read-only"
    TRIGGERS += [
        f"CREATE TRIGGER {_t}_received_no_insert BEFORE INSERT ON {_t} WHEN {_CARRIED.format(row='NEW')} {_ABORT.format(_msg)}",
        f"CREATE TRIGGER {_t}_received_no_update BEFORE UPDATE ON {_t} WHEN {_CARRIED.format(row='OLD')} "
        f"OR {_CARRIED.format(row='NEW')} {_ABORT.format(_msg)}",
        f"CREATE TRIGGER {_t}_received_no_delete BEFORE DELETE ON {_t} WHEN {_CARRIED.format(row='OLD')} {_ABORT.format(_msg)}",
    ]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    op.create_table(
        'received_period',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('transfer_id', sa.Integer(),
                  sa.ForeignKey('student_transfer.id', name='fk_received_period_transfer_id_student_transfer'),
                  nullable=False),
        sa.Column('enrolment_id', sa.Integer(),
                  sa.ForeignKey('enrolment.id', name='fk_received_period_enrolment_id_enrolment'), nullable=False),
        sa.Column('period', sa.String(length=3), nullable=False),
        sa.Column('school_name', sa.String(length=150), nullable=False),
        sa.Column('class_name', sa.String(length=10), nullable=False, server_default=''),
        sa.Column('package_sha256', sa.String(length=64), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('enrolment_id', 'period', name='uq_received_period_enrolment_id_period'),
    )
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('received_period')

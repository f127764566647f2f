"""transfers: records received from another school, the learning history they bring, transfer log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00

A transfer package (chuyển trường) brings a student's issued records signed by another school. They
are kept exactly as received — the bytes the signatures cover — in their own table, not as Record
rows: they were never drafted, signed or issued here, so nothing of the local life cycle (signing
plan, outbox, archive counts) may pick them up. Like issued records they are immutable (triggers),
and so are the learning-history lines they bring and the log of transfers in and out.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_ABORT = "BEGIN SELECT RAISE(ABORT, '{}'); END"
TRIGGERS = [
    f"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} " + _ABORT.format(f"{t} rows are immutable")
    for t in ("received_record", "learning_history", "student_transfer")
] + [
    f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} " + _ABORT.format(f"{t} rows are never deleted")
    for t in ("received_record", "learning_history", "student_transfer")
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    op.create_table(
        'student_transfer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=True),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('other_school', sa.String(length=250), nullable=False, server_default=''),
        sa.Column('package_sha256', sa.String(length=64), nullable=False),
        sa.Column('actor', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_student_transfer_direction')),
        sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_student_transfer_student_id_student')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_student_transfer_enrolment_id_enrolment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_student_transfer')),
        sa.UniqueConstraint('direction', 'package_sha256', name=op.f('uq_student_transfer_direction')),
    )
    op.create_table(
        'received_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('transfer_id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('lookup_code', sa.String(length=32), nullable=False),
        sa.Column('school_year', sa.String(length=9), nullable=False),
        sa.Column('school_name', sa.String(length=150), nullable=False),
        sa.Column('class_name', sa.String(length=10), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('status_reason', sa.Text(), nullable=False, server_default=''),
        sa.Column('signed_xml', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('paper_pdf', sa.LargeBinary(), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['transfer_id'], ['student_transfer.id'], name=op.f('fk_received_record_transfer_id_student_transfer')),
        sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_received_record_student_id_student')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_received_record')),
        sa.UniqueConstraint('student_id', 'sha256', name=op.f('uq_received_record_student_id')),
    )
    op.create_table(
        'learning_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('transfer_id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('school_year', sa.String(length=9), nullable=False),
        sa.Column('class_name', sa.String(length=10), nullable=False),
        sa.Column('school_name', sa.String(length=150), nullable=False),
        sa.Column('province', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('transfer_in_date', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['transfer_id'], ['student_transfer.id'], name=op.f('fk_learning_history_transfer_id_student_transfer')),
        sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_learning_history_student_id_student')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_history')),
        sa.UniqueConstraint('student_id', 'seq', name=op.f('uq_learning_history_student_id')),
    )
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('learning_history')
    op.drop_table('received_record')
    op.drop_table('student_transfer')

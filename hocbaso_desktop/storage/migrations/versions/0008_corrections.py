"""corrections: the phiếu đề nghị sửa dữ liệu (seed 004, Điều 8) and its rules in the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 12:00:00

A request is filed against an issued record only; its content (who, what, why, evidence) never
changes once filed; its state moves open → approved → applied, or open → rejected / cancelled, or
approved → cancelled, and a decided request keeps its decision (who, when, why, witnesses). An
applied request names the issued version that replaced the one it was filed against. Nothing is
deleted. A closed record_unlock (the opening an approval gives) never reopens and is never deleted:
the trail of when a record was open must hold for anyone with the file and sqlite3 too.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_ABORT = "BEGIN SELECT RAISE(ABORT, '{}'); END"
TRIGGERS = [
    """CREATE TRIGGER correction_request_needs_issued BEFORE INSERT ON correction_request
       WHEN NEW.state IS NOT 'open' OR NOT EXISTS (SELECT 1 FROM record r WHERE r.id = NEW.record_id
            AND r.enrolment_id = NEW.enrolment_id AND r.status = 'issued')
       """ + _ABORT.format("a correction request starts open, on an issued record"),
    """CREATE TRIGGER correction_request_content_fixed BEFORE UPDATE ON correction_request
       WHEN NEW.id IS NOT OLD.id OR NEW.enrolment_id IS NOT OLD.enrolment_id OR NEW.record_id IS NOT OLD.record_id
         OR NEW.requester_id IS NOT OLD.requester_id OR NEW.fields IS NOT OLD.fields OR NEW.reason IS NOT OLD.reason
         OR NEW.evidence_name IS NOT OLD.evidence_name OR NEW.evidence IS NOT OLD.evidence
         OR NEW.created_at IS NOT OLD.created_at
       """ + _ABORT.format("a correction request cannot change once filed"),
    """CREATE TRIGGER correction_request_final BEFORE UPDATE ON correction_request
       WHEN OLD.state IN ('rejected', 'applied', 'cancelled')
       """ + _ABORT.format("a closed correction request is final"),
    """CREATE TRIGGER correction_request_transition BEFORE UPDATE ON correction_request
       WHEN NEW.state IS NOT OLD.state AND NOT (
            (OLD.state = 'open' AND NEW.state IN ('approved', 'rejected', 'cancelled'))
         OR (OLD.state = 'approved' AND NEW.state IN ('applied', 'cancelled')))
       """ + _ABORT.format("correction request state cannot move that way"),
    """CREATE TRIGGER correction_request_decision_fixed BEFORE UPDATE ON correction_request
       WHEN OLD.state = 'approved' AND (NEW.decided_by IS NOT OLD.decided_by OR NEW.decided_at IS NOT OLD.decided_at
         OR NEW.decision_reason IS NOT OLD.decision_reason OR NEW.witnesses IS NOT OLD.witnesses)
       """ + _ABORT.format("a decided correction request keeps its decision"),
    """CREATE TRIGGER correction_request_decider BEFORE UPDATE ON correction_request
       WHEN NEW.state IN ('approved', 'rejected') AND (NEW.decided_by IS NULL OR NEW.decided_at IS NULL)
       """ + _ABORT.format("a decision needs who and when"),
    """CREATE TRIGGER correction_request_applied BEFORE UPDATE ON correction_request
       WHEN NEW.state = 'applied' AND NOT EXISTS (SELECT 1 FROM record r WHERE r.id = NEW.new_record_id
            AND r.status = 'issued' AND r.replaces_id = NEW.record_id)
       """ + _ABORT.format("an applied correction needs the issued version that replaced the old one"),
    """CREATE TRIGGER correction_request_no_delete BEFORE DELETE ON correction_request
       """ + _ABORT.format("correction requests are never deleted"),
    """CREATE TRIGGER record_unlock_no_reopen BEFORE UPDATE ON record_unlock
       WHEN OLD.active = 0 AND (NEW.active IS NOT OLD.active OR NEW.closed_at IS NOT OLD.closed_at
         OR NEW.opened_at IS NOT OLD.opened_at OR NEW.enrolment_id IS NOT OLD.enrolment_id
         OR NEW.correction_id IS NOT OLD.correction_id)
       """ + _ABORT.format("a closed record unlock is final"),
    """CREATE TRIGGER record_unlock_no_delete BEFORE DELETE ON record_unlock
       """ + _ABORT.format("record unlocks are never deleted"),
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    op.create_table(
        'correction_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('new_record_id', sa.Integer(), nullable=True),
        sa.Column('requester_id', sa.Integer(), nullable=False),
        sa.Column('fields', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('evidence_name', sa.String(length=255), nullable=False),
        sa.Column('evidence', sa.LargeBinary(), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.Column('witnesses', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'approved', 'rejected', 'applied', 'cancelled')",
                           name=op.f('ck_correction_request_state')),
        sa.CheckConstraint('evidence IS NULL OR length(evidence) <= 10485760',
                           name=op.f('ck_correction_request_evidence_size')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_correction_request_enrolment_id_enrolment')),
        sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_correction_request_record_id_record')),
        sa.ForeignKeyConstraint(['new_record_id'], ['record.id'], name=op.f('fk_correction_request_new_record_id_record')),
        sa.ForeignKeyConstraint(['requester_id'], ['staff.id'], name=op.f('fk_correction_request_requester_id_staff')),
        sa.ForeignKeyConstraint(['decided_by'], ['staff.id'], name=op.f('fk_correction_request_decided_by_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_request')),
    )
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.create_index('ix_correction_request_state', ['state'], unique=False)
        batch_op.create_index('ix_correction_request_enrolment', ['enrolment_id'], unique=False)
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.drop_index('ix_correction_request_enrolment')
        batch_op.drop_index('ix_correction_request_state')
    op.drop_table('correction_request')

"""the signed withdrawal document of a withdrawn record

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:30:00

Issue 16: a withdrawn record's signed content still said status 1 (có hiệu lực): the withdrawal was a
row update and an unsigned envelope field. The withdrawal is now a document of its own, signed by the
school's seal (exchange/withdrawal_xml.py), kept here beside the record it withdraws and sent as the
CANCEL package. Like the paper copy (0012): a row only for a withdrawn record, naming the signed XML
it withdraws by its hash, one per record, never changed or deleted.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

ABORT = "BEGIN SELECT RAISE(ABORT, 'withdrawal documents are immutable'); END"

TRIGGERS = [
    "CREATE TRIGGER record_withdrawal_withdrawn_only BEFORE INSERT ON record_withdrawal "
    "WHEN NOT EXISTS (SELECT 1 FROM record r WHERE r.id = NEW.record_id AND r.status = 'withdrawn' "
    "AND r.sha256 = NEW.withdrawn_sha256) "
    "BEGIN SELECT RAISE(ABORT, 'a withdrawal document is stored only for a withdrawn record, naming its signed XML'); END",
    f"CREATE TRIGGER record_withdrawal_no_update BEFORE UPDATE ON record_withdrawal {ABORT}",
    f"CREATE TRIGGER record_withdrawal_no_delete BEFORE DELETE ON record_withdrawal {ABORT}",
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    op.create_table(
        'record_withdrawal',
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('record.id', name='fk_record_withdrawal_record_id_record'),
                  primary_key=True),
        sa.Column('signed_xml', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('withdrawn_sha256', sa.String(length=64), nullable=False),
        sa.Column('decided_by', sa.Integer(), sa.ForeignKey('staff.id', name='fk_record_withdrawal_decided_by_staff'),
                  nullable=True),
        sa.Column('seal_cert_serial', sa.String(length=80), nullable=False, server_default=''),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('record_withdrawal')

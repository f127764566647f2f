"""outbox: upload packages of issued records, written in the issuing transaction

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:00:00

One row per package to send to the sector database (records.md: envelope with a record id, an event
NEW/UPDATE/CANCEL and a version that increases on every send). The database itself guarantees what
the sender relies on: no entry without an issued (or replaced/withdrawn) record, a package never
changes once queued, versions of one record only increase, "sent" needs a stored receipt, sent and
superseded are final, nothing is deleted.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_ABORT = "BEGIN SELECT RAISE(ABORT, '{}'); END"
TRIGGERS = [
    # NEW/UPDATE travel with the issued record (replaced too: a late backfill of an older version);
    # CANCEL only with a withdrawn one.
    """CREATE TRIGGER outbox_needs_issued_record BEFORE INSERT ON outbox
       WHEN NOT EXISTS (SELECT 1 FROM record r WHERE r.id = NEW.record_id AND (
            (NEW.event IN ('NEW', 'UPDATE') AND r.status IN ('issued', 'replaced'))
         OR (NEW.event = 'CANCEL' AND r.status = 'withdrawn')))
       """ + _ABORT.format("outbox entry needs an issued record"),
    # The receiver keeps the highest version and ignores the rest: a lower one queued later would be lost.
    """CREATE TRIGGER outbox_version_increases BEFORE INSERT ON outbox
       WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.envelope_id = NEW.envelope_id AND o.version >= NEW.version)
       """ + _ABORT.format("outbox version must increase"),
    """CREATE TRIGGER outbox_package_immutable BEFORE UPDATE ON outbox
       WHEN NEW.package IS NOT OLD.package OR NEW.idempotency_key IS NOT OLD.idempotency_key
         OR NEW.record_id IS NOT OLD.record_id OR NEW.envelope_id IS NOT OLD.envelope_id
         OR NEW.lookup_code IS NOT OLD.lookup_code OR NEW.version IS NOT OLD.version
         OR NEW.event IS NOT OLD.event OR NEW.created_at IS NOT OLD.created_at OR NEW.id IS NOT OLD.id
       """ + _ABORT.format("outbox package is immutable"),
    """CREATE TRIGGER outbox_final_states BEFORE UPDATE ON outbox
       WHEN OLD.state IN ('sent', 'superseded') AND (NEW.state IS NOT OLD.state
         OR NEW.receipt IS NOT OLD.receipt OR NEW.sent_at IS NOT OLD.sent_at)
       """ + _ABORT.format("outbox entry is final"),
    """CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
       """ + _ABORT.format("outbox entries are never deleted"),
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('lookup_code', sa.String(length=32), nullable=False),
        sa.Column('envelope_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=6), nullable=False),
        sa.Column('idempotency_key', sa.String(length=36), nullable=False),
        sa.Column('package', sa.LargeBinary(), nullable=False),
        sa.Column('package_sha256', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_try_at', sa.Float(), nullable=False),
        sa.Column('lease_owner', sa.String(length=80), nullable=True),
        sa.Column('lease_until', sa.Float(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('receipt', sa.String(length=200), nullable=True),
        sa.Column('sent_to', sa.String(length=300), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("event IN ('NEW', 'UPDATE', 'CANCEL')", name=op.f('ck_outbox_event')),
        sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'superseded')", name=op.f('ck_outbox_state')),
        sa.CheckConstraint("state <> 'sent' OR (receipt IS NOT NULL AND receipt <> '' AND sent_at IS NOT NULL)",
                           name=op.f('ck_outbox_sent_has_receipt')),
        sa.CheckConstraint("state <> 'sending' OR (lease_owner IS NOT NULL AND lease_until IS NOT NULL)",
                           name=op.f('ck_outbox_sending_has_lease')),
        sa.CheckConstraint('version >= 1 AND attempts >= 0', name=op.f('ck_outbox_counts')),
        sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_outbox_record_id_record')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key')),
        sa.UniqueConstraint('envelope_id', 'version', name=op.f('uq_outbox_envelope_id_version')),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['state', 'next_try_at'], unique=False)
        batch_op.create_index('ix_outbox_record', ['record_id'], unique=False)
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_record')
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox')

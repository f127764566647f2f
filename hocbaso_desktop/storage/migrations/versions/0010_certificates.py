"""certificates: which signing certificate belongs to which staff member, and the school's seal

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:30:00

Issue 15: signing with a certificate that is not registered to the signer (or to the school, for
the seal) is refused. One row per certificate, by the SHA-256 fingerprint of its DER encoding:
either a staff member's (staff_id set, seal false) or the school's seal (staff_id NULL, seal true);
registered by the admin team or at the first use by its holder (method). Rows are never deleted or
re-pointed at someone else: the audit and the signatures made with a certificate keep pointing at
the person it was registered to.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_ABORT = "BEGIN SELECT RAISE(ABORT, '{}'); END"
TRIGGERS = [
    """CREATE TRIGGER staff_certificate_fixed BEFORE UPDATE ON staff_certificate
       WHEN NEW.fingerprint IS NOT OLD.fingerprint OR NEW.staff_id IS NOT OLD.staff_id OR NEW.seal IS NOT OLD.seal
       """ + _ABORT.format("a registered certificate keeps its fingerprint and its holder"),
    """CREATE TRIGGER staff_certificate_no_delete BEFORE DELETE ON staff_certificate
       """ + _ABORT.format("a registered certificate is never deleted"),
]


def upgrade() -> None:
    op.create_table(
        'staff_certificate',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('staff.id', name='fk_staff_certificate_staff_id_staff'),
                  nullable=True),
        sa.Column('seal', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('common_name', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('subject', sa.String(length=400), nullable=False, server_default=''),
        sa.Column('serial_hex', sa.String(length=80), nullable=False, server_default=''),
        sa.Column('not_after', sa.DateTime(), nullable=True),
        sa.Column('method', sa.String(length=12), nullable=False),
        sa.Column('registered_by', sa.String(length=20), nullable=False),
        sa.Column('registered_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('fingerprint', name='uq_staff_certificate_fingerprint'),
        sa.CheckConstraint("(seal = 1 AND staff_id IS NULL) OR (seal = 0 AND staff_id IS NOT NULL)",
                           name='ck_staff_certificate_holder'),
        sa.CheckConstraint("method IN ('admin', 'first_use')", name='ck_staff_certificate_method'),
    )
    for sql in TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    for name in ('staff_certificate_no_delete', 'staff_certificate_fixed'):
        op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.drop_table('staff_certificate')

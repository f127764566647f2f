"""accounts: one login per staff member (issue 7)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:00:00

Argon2id hash (NULL until a password is set), must-change flag, wrong-password counter and lock,
last login, and who disabled the account when and why. A staff member's account is never deleted
(the audit keeps pointing at them): the trigger makes that hold for sqlite3 users too.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'account',
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=True),
        sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('failed_attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_failed_at', sa.DateTime(), nullable=True),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.Column('password_changed_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('disabled_at', sa.DateTime(), nullable=True),
        sa.Column('disabled_by', sa.String(length=20), nullable=False, server_default=''),
        sa.Column('disabled_reason', sa.Text(), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_account_staff_id_staff')),
        sa.PrimaryKeyConstraint('staff_id', name=op.f('pk_account')),
    )
    op.execute("""CREATE TRIGGER account_no_delete BEFORE DELETE ON account
                  BEGIN SELECT RAISE(ABORT, 'accounts are disabled, never deleted'); END""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS account_no_delete")
    op.drop_table('account')

"""the paper copy of an issued record, rendered from its signed XML once, at issue, and stored

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 22:00:00

Issue 15: paper copies and the archive were rebuilt from live rows, so an archive could hold a
signed XML saying one name beside a "signed" PDF saying another. The PDF is now rendered from the
signed XML in the issuing transaction (services/paper_copies.py) and kept here with its SHA-256 and
the SHA-256 of the signed XML it was rendered from. Like the issued record itself (0002), a row can
be written only for an issued record whose stored hash it names, and never changed or deleted.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ABORT = "BEGIN SELECT RAISE(ABORT, 'stored paper copies are immutable'); END"

TRIGGERS = [
    # only for an issued record, from exactly the signed XML its hash names
    "CREATE TRIGGER record_paper_copy_issued_only BEFORE INSERT ON record_paper_copy "
    "WHEN NOT EXISTS (SELECT 1 FROM record r WHERE r.id = NEW.record_id AND r.status = 'issued' "
    "AND r.sha256 = NEW.xml_sha256) "
    "BEGIN SELECT RAISE(ABORT, 'a paper copy is stored only for an issued record, from its signed XML'); END",
    f"CREATE TRIGGER record_paper_copy_no_update BEFORE UPDATE ON record_paper_copy {ABORT}",
    f"CREATE TRIGGER record_paper_copy_no_delete BEFORE DELETE ON record_paper_copy {ABORT}",
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    op.create_table(
        'record_paper_copy',
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('record.id', name='fk_record_paper_copy_record_id_record'),
                  primary_key=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('xml_sha256', sa.String(length=64), nullable=False),
        sa.Column('renderer', sa.String(length=40), nullable=False, server_default=''),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('record_paper_copy')

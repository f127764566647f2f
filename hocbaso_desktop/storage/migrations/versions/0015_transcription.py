"""trích lục: a year entered from the paper học bạ, and the paper years it lives in

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 01:00:00

Issue 17: the years before học bạ số were kept on paper. A school enters such a year from the paper
book (services/transcription.py): its evaluations go into the ordinary tables so the same TT27 rules,
signing and issue apply, and this table says that the enrolment was transcribed, from which paper
book, by whom and when. The record written from it carries trichluc = 1 and is never shown as the
original.

A paper year is a school_year of kind 'transcribed': it holds only transcribed enrolments and is kept
out of every list of live years (dashboard, year selector, rollover). Its kind never changes, and a
transcription row can name only an enrolment of such a year; once written it is never changed or
deleted (the provenance of a signed record must not move under it).
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

ABORT = "BEGIN SELECT RAISE(ABORT, 'transcriptions are immutable'); END"

TRIGGERS = [
    "CREATE TRIGGER school_year_kind_valid_insert BEFORE INSERT ON school_year "
    "WHEN NEW.kind NOT IN ('live', 'transcribed') "
    "BEGIN SELECT RAISE(ABORT, 'school_year.kind is live or transcribed'); END",
    "CREATE TRIGGER school_year_kind_fixed BEFORE UPDATE OF kind ON school_year "
    "WHEN NEW.kind IS NOT OLD.kind "
    "BEGIN SELECT RAISE(ABORT, 'a school year never changes between live and transcribed'); END",
    "CREATE TRIGGER transcription_paper_year_only BEFORE INSERT ON transcription "
    "WHEN NOT EXISTS (SELECT 1 FROM enrolment e JOIN school_year y ON y.id = e.year_id "
    "WHERE e.id = NEW.enrolment_id AND y.kind = 'transcribed') "
    "BEGIN SELECT RAISE(ABORT, 'a transcription names an enrolment of a transcribed (paper) year'); END",
    # a live year holds no transcribed enrolment either way round
    "CREATE TRIGGER enrolment_paper_year_transcribed BEFORE UPDATE OF year_id ON enrolment "
    "WHEN EXISTS (SELECT 1 FROM transcription t WHERE t.enrolment_id = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, 'a transcribed enrolment stays in its paper year'); END",
    f"CREATE TRIGGER transcription_no_update BEFORE UPDATE ON transcription {ABORT}",
    f"CREATE TRIGGER transcription_no_delete BEFORE DELETE ON transcription {ABORT}",
]
TRIGGER_NAMES = [t.split()[2] for t in TRIGGERS]


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite supports NOT NULL with a default): every existing year is live
    op.add_column('school_year', sa.Column('kind', sa.String(length=12), nullable=False, server_default='live'))
    op.create_table(
        'transcription',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('enrolment_id', sa.Integer(),
                  sa.ForeignKey('enrolment.id', name='fk_transcription_enrolment_id_enrolment'), nullable=False),
        sa.Column('paper_book_ref', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('entered_by', sa.String(length=20), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.UniqueConstraint('enrolment_id', name='uq_transcription_enrolment_id'),
    )
    for t in TRIGGERS:
        op.execute(t)


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('transcription')
    with op.batch_alter_table('school_year') as batch:
        batch.drop_column('kind')

"""school setup: staff details, several GVBM per subject, per-pupil subjects, the promotion decision

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:00:00

What a school set up from nothing needs beyond the demo (issue 14):
- staff: position (chức vụ / vị trí việc làm), e-mail, the subjects the ministry's file lists, date of
  birth and the day the person left (kept, never deleted: the audit points at them);
- teaching_assignment: one or more GVBM per subject and class, so the key becomes (class, subject,
  staff) instead of (class, subject);
- student: sổ đăng bộ number, enrolment date, policy group, the kind of disability;
- enrolment: the optional subjects a pupil takes beyond the class's own, and subjects the pupil is
  exempt from (printed as M), both per school year;
- year_result: who decided lên lớp / ở lại lớp after the supplementary evaluation, and when.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild), so the triggers on these tables stay as they are.
    for table, col in (
        ('staff', sa.Column('position', sa.String(length=100), nullable=False, server_default='')),
        ('staff', sa.Column('email', sa.String(length=150), nullable=False, server_default='')),
        ('staff', sa.Column('subjects_text', sa.String(length=200), nullable=False, server_default='')),
        ('staff', sa.Column('birth_date', sa.Date(), nullable=True)),
        ('staff', sa.Column('left_on', sa.Date(), nullable=True)),
        ('student', sa.Column('register_no', sa.String(length=30), nullable=False, server_default='')),
        ('student', sa.Column('enrolled_on', sa.Date(), nullable=True)),
        ('student', sa.Column('policy_group', sa.String(length=100), nullable=False, server_default='')),
        ('student', sa.Column('disability', sa.String(length=100), nullable=False, server_default='')),
        ('enrolment', sa.Column('optional_subjects', sa.String(length=100), nullable=False, server_default='')),
        ('enrolment', sa.Column('exempt_subjects', sa.String(length=100), nullable=False, server_default='')),
        ('year_result', sa.Column('promotion_decided_by', sa.Integer(), nullable=True)),
        ('year_result', sa.Column('promotion_decided_at', sa.DateTime(), nullable=True)),
        ('year_result', sa.Column('promotion_note', sa.Text(), nullable=False, server_default='')),
    ):
        op.add_column(table, col)
    # teaching_assignment has no triggers: rebuilding it to change its key loses nothing.
    with op.batch_alter_table('teaching_assignment', recreate='always') as b:
        b.drop_constraint('uq_teaching_assignment_class_id_subject_code', type_='unique')
        b.create_unique_constraint('uq_teaching_assignment_class_id_subject_code_staff_id',
                                   ['class_id', 'subject_code', 'staff_id'])


def downgrade() -> None:
    with op.batch_alter_table('year_result') as b:
        for c in ('promotion_note', 'promotion_decided_at', 'promotion_decided_by'):
            b.drop_column(c)
    with op.batch_alter_table('enrolment') as b:
        for c in ('exempt_subjects', 'optional_subjects'):
            b.drop_column(c)
    with op.batch_alter_table('student') as b:
        for c in ('disability', 'policy_group', 'enrolled_on', 'register_no'):
            b.drop_column(c)
    with op.batch_alter_table('teaching_assignment', recreate='always') as b:
        b.drop_constraint('uq_teaching_assignment_class_id_subject_code_staff_id', type_='unique')
        b.create_unique_constraint('uq_teaching_assignment_class_id_subject_code', ['class_id', 'subject_code'])
    with op.batch_alter_table('staff') as b:
        for c in ('left_on', 'birth_date', 'subjects_text', 'email', 'position'):
            b.drop_column(c)

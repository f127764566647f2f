"""Sub-commands of `hocbaso`, one module per area; each exposes register(subparsers)."""

from . import (
    archive,
    assign,
    backup,
    certs_cmd,
    class_import,
    correction,
    grid,
    kqht,
    outbox,
    pupil,
    records,
    report,
    school,
    school_details,
    settings_cmd,
    signing,
    staff_admin,
    transcribe,
    transfer,
    trust,
    user,
)

ALL = [school.register, school_details.register, class_import.register, staff_admin.register, assign.register, pupil.register,
       grid.register, records.register, signing.register, certs_cmd.register, trust.register, settings_cmd.register, user.register,
       outbox.register, kqht.register, archive.register, transfer.register, report.register, backup.register, correction.register,
       transcribe.register]

"""Sub-commands of `hocbaso`, one module per area; each exposes register(subparsers)."""

from . import archive, backup, class_import, correction, grid, outbox, records, report, school, signing, transfer, user

ALL = [school.register, class_import.register, grid.register, records.register, signing.register, user.register, outbox.register, archive.register, transfer.register, report.register, backup.register, correction.register]

"""Sub-commands of `hocbaso`, one module per area; each exposes register(subparsers)."""

from . import school

ALL = [school.register]

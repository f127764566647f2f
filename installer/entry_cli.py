"""Frozen entry point of the `hocbaso` command (PyInstaller runs this as __main__)."""

import sys

from hocbaso_desktop.cli import main

sys.exit(main())

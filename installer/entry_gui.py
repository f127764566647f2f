"""Frozen entry point of the desktop program (PyInstaller runs this as __main__)."""

import sys

from hocbaso_desktop.gui.app import main

sys.exit(main())

"""PyInstaller runtime hook: runs before the program's own code in the frozen build.

resources/, schemas/ and docs/huong-dan/ sit beside the package in a checkout; in the bundle they
sit in the bundle's data folder (sys._MEIPASS), so point hocbaso_desktop.paths there.
"""

import os
import sys

_base = getattr(sys, "_MEIPASS", None)
if _base and not os.environ.get("HOCBASO_RESOURCES"):
    os.environ["HOCBASO_RESOURCES"] = _base

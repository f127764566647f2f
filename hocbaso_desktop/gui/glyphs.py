"""Status marks drawn in the program's own font (DejaVu Sans, gui/fonts.py). A mark the font lacks
(the pause sign U+23F8, the hourglasses U+231B and U+23F3) is drawn as an empty box on a school's
machine; tests/gui/test_glyphs.py checks every text of the GUI against the font."""

from __future__ import annotations

OK = "✓"
FAILED = "✗"
WARNING = "⚠"
WAITING = "‖"  # paused / waiting for something (the pause sign ⏸ is not in the font)

"""Học bạ số desktop: the Qt-free core lives in domain/, storage/, exchange/, signing/, sync/, services/.

Only hocbaso_desktop.gui imports PySide6.
"""

__version__ = "0.1.0"
APP_NAME = "hocbaso"

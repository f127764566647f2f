"""Translations of the main window's fixed texts with Qt's own machinery (.ts → .qm, QTranslator).

Vietnamese is the source language: the texts in the code ARE the keys, so a text without an
English translation simply stays Vietnamese. The UI strings are plain str literals (not
self.tr()), so instead of wrapping every call site this module walks the built window — menu
titles and actions, tab titles, dock titles, tool bar titles and labels — and sets
QCoreApplication.translate("MainWindow", source) on each. It remembers the Vietnamese source of
every text it changed, so switching back (or to another language) is exact, and a text the
program itself changed since (a class name in a label) is taken as the new source.

Switching in the settings applies at once to the main window; dialogs opened later speak
Vietnamese (they are not wrapped yet) — said in the settings tab.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTranslator
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QMenu, QTabWidget, QToolBar

from ..paths import resources_dir
from .qt_vi import install_qt_vietnamese, remove_qt_vietnamese

CONTEXT = "MainWindow"
_SOURCE = "hocbaso_i18n_source"  # dynamic property: the Vietnamese text
_SHOWN = "hocbaso_i18n_shown"  # dynamic property: what we set last
_translator: QTranslator | None = None
_language = "vi"


def qm_path(lang: str):  # noqa: ANN201 - Path
    return resources_dir() / "i18n" / f"hocbaso_{lang}.qm"


def install_translator(app: QCoreApplication | None, lang: str) -> bool:
    """Make `lang` the language of QCoreApplication.translate; "vi" removes any translation.

    Returns False (and keeps Vietnamese) when the compiled translation cannot be loaded."""
    global _translator, _language
    app = app or QApplication.instance()
    if app is None:  # no application yet: nothing to translate
        return False
    if _translator is not None:
        app.removeTranslator(_translator)
        _translator = None
    _language = "vi"
    if lang == "vi":
        install_qt_vietnamese(app)
        return True
    t = QTranslator(app)
    if not t.load(str(qm_path(lang))):
        return False
    remove_qt_vietnamese(app)  # Qt's own texts follow the chosen language
    app.installTranslator(t)
    _translator, _language = t, lang
    return True


def current_language() -> str:
    return _language


def tr(text: str, context: str = CONTEXT) -> str:
    """Translate one Vietnamese source text, keeping its leading/trailing spaces (tool bar labels)."""
    core = text.strip()
    if not core:
        return text
    out = QCoreApplication.translate(context, core)
    return text.replace(core, out, 1) if out != core else text


def _retext(obj: QObject, current: str, setter) -> None:  # noqa: ANN001 - callable(str)
    source, shown = obj.property(_SOURCE), obj.property(_SHOWN)
    if source is None or current != shown:  # first time, or the program changed the text since
        source = current
    new = tr(source)
    if new != current:
        setter(new)
    obj.setProperty(_SOURCE, source)
    obj.setProperty(_SHOWN, new)


def _menu(menu: QMenu) -> None:
    _retext(menu.menuAction(), menu.title(), menu.setTitle)
    for act in menu.actions():
        if act.isSeparator():
            continue
        sub = act.menu()
        if isinstance(sub, QMenu) and sub is not menu:
            _menu(sub)
        elif act.text():
            _retext(act, act.text(), act.setText)


def _tabs(tabs: QTabWidget) -> None:
    # Tabs are not QObjects: keep their sources on the tab widget, one list per index.
    sources = list(tabs.property(_SOURCE) or [])
    shown = list(tabs.property(_SHOWN) or [])
    for i in range(tabs.count()):
        current = tabs.tabText(i)
        src = sources[i] if i < len(sources) and i < len(shown) and shown[i] == current else current
        new = tr(src)
        if new != current:
            tabs.setTabText(i, new)
        sources[i:i + 1] = [src]
        shown[i:i + 1] = [new]
    tabs.setProperty(_SOURCE, sources)
    tabs.setProperty(_SHOWN, shown)


def retranslate_main_window(window: QMainWindow) -> None:
    """Apply the installed translation to the main window's fixed texts (call after any switch)."""
    for act in window.menuBar().actions():
        sub = act.menu()
        if isinstance(sub, QMenu):
            _menu(sub)
    for tabs in window.findChildren(QTabWidget):
        if tabs.window() is window:
            _tabs(tabs)
    for dock in window.findChildren(QDockWidget):
        _retext(dock, dock.windowTitle(), dock.setWindowTitle)
    for tb in window.findChildren(QToolBar):
        _retext(tb, tb.windowTitle(), tb.setWindowTitle)
        for act in tb.actions():
            if act.text() and not act.isSeparator():
                _retext(act, act.text(), act.setText)
        for label in tb.findChildren(QLabel):
            if "<" not in label.text():  # rich text labels hold data (the school's name), not UI words
                _retext(label, label.text(), label.setText)


def apply_language(window: QMainWindow, lang: str) -> bool:
    ok = install_translator(QApplication.instance(), lang)
    retranslate_main_window(window)
    return ok

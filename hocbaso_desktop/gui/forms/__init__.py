"""Compiled Qt Designer forms (tools/compile_forms.py); do not edit by hand."""

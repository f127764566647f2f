"""The Qt layer: the ONLY package that imports PySide6. Thin Model/View over services."""

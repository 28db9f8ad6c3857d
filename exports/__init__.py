"""The official forms as PDF and Excel, one filing or many (see document.py first)."""


class ExportUnavailable(Exception):
    """An export cannot be made on this machine (e.g. no CJK font); the message says why."""

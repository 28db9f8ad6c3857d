"""The official forms as PDF and Excel, one filing or many (see document.py first)."""

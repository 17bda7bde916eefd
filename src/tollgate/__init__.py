"""Tollgate: customs risk management — assess in advance, control where required."""

__version__ = "0.1.0"

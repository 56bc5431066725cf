"""Datora Graph: graph-based identity resolution for a customer data platform."""

__version__ = "0.1.0"

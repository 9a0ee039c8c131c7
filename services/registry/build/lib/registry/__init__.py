"""IIMS registry service: enterprises, agencies and the pilot programme (企业与贯标试点登记)."""

__version__ = "0.1.0"

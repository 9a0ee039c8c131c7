"""IIMS audit service: applications, audits, scheduling, findings, certificates (认定审核)."""

__version__ = "0.1.0"

"""IIMS training service: programmes, sessions, enrollments, exams, qualifications (贯标培训与资质)."""

__version__ = "0.1.0"

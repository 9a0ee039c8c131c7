"""Training domain rules: plain code, testable without HTTP or a database."""

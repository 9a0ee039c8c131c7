"""认定审核 rules as plain functions: no HTTP, no database."""

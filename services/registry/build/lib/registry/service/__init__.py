"""Application services: one transaction's worth of work each (load in scope, apply the
domain rule, write, record events). Routes and event consumers call these; they never commit."""

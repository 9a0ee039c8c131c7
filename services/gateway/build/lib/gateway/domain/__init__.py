"""Gateway rules as plain functions: routing, keys, tokens, webhook targets, dashboards."""

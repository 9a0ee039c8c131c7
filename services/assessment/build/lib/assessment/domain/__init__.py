"""Assessment rules as plain code: frameworks, scoring, conformity, diagnosis."""

"""Composing: clauses worded from the pack's templates into one document tree."""

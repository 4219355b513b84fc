"""Content base: load and validate content/*.yaml, then search it."""

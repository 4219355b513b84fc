"""Models and data access. Queries return plain dataclasses, never live ORM rows."""

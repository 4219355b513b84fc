"""Every SQLAlchemy model, query and claim; implements core's ports and hands back plain records, never live rows."""

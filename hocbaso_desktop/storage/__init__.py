"""SQLAlchemy 2 models, the engine with its pragmas, migrations and the audit chain: the only place with SQL."""

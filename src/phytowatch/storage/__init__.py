"""Storage adapters: SQLAlchemy 2 tables, migrations, repositories, the writers."""

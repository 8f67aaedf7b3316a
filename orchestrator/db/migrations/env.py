"""Alembic environment: runs on the connection Database.migrate() hands over (config.attributes)."""

from alembic import context

from orchestrator.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `await orchestrator.db.Database(url).migrate()`")

context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()

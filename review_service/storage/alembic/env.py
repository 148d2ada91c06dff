"""Alembic environment: migrations run on the connection that ``review_service.storage.migrate`` hands over."""
from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite",
                  transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()

"""visits.client_key: the browser's idempotency key, stored once

A visit logged on a phone with no signal waits in the browser and is sent when the
connection returns; it may arrive twice (a lost answer, two open tabs). Each carries a
key made by the browser, and the unique index lets only the first arrival become a row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("visits", sa.Column("client_key", sa.String(length=64), nullable=True))
    op.create_index("ix_visits_client_key", "visits", ["client_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_visits_client_key", table_name="visits")
    op.drop_column("visits", "client_key")

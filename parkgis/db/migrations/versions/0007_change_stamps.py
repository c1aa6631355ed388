"""change stamps: one counter per tiled collection, bumped by every write and import

Vector tiles carry an ETag made from their collection's stamp, so a client can keep a
tile until that collection changes. A statement-level trigger on each table (``INSERT``,
``UPDATE``, ``DELETE`` and ``TRUNCATE``, so COPY loads, imports and the demo load count
too) sets the collection's row in ``change_stamps`` to the next value of
``change_stamp_seq``. The row is updated in the writing transaction, so the stamp and the
data become visible together, and a rolled-back write leaves the stamp as it was.
Concurrent writers to one collection queue on that row until the first commits.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TRACKED = {
    "parcels": "parcels",
    "buildings": "buildings",
    "spaces": "spaces",
    "enterprises": "enterprises",
    "projects": "projects",
    "grid_areas": "grid_areas",
    "context_features": "context",
}
"""Table → collection name in ``change_stamps``."""

BUMP = """
CREATE FUNCTION parkgis_bump_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_stamps AS c (collection, stamp, changed_at)
  VALUES (TG_ARGV[0], nextval('change_stamp_seq'), clock_timestamp())
  ON CONFLICT (collection)
  DO UPDATE SET stamp = EXCLUDED.stamp, changed_at = EXCLUDED.changed_at;
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE change_stamp_seq")
    op.create_table(
        "change_stamps",
        sa.Column("collection", sa.String(32), primary_key=True),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
    )
    op.execute(BUMP)
    for table, name in TRACKED.items():
        op.execute(
            f"INSERT INTO change_stamps (collection, stamp) "
            f"VALUES ('{name}', nextval('change_stamp_seq'))"
        )
        op.execute(
            f"CREATE TRIGGER {table}_change_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION parkgis_bump_change_stamp('{name}')"
        )


def downgrade() -> None:
    for table in TRACKED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_change_stamp ON {table}")
    op.execute("DROP FUNCTION IF EXISTS parkgis_bump_change_stamp()")
    op.drop_table("change_stamps")
    op.execute("DROP SEQUENCE IF EXISTS change_stamp_seq")

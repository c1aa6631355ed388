"""indexes for matching: open units by area and place, firms by chain and place

Matching filters open units (``spaces.status = 'vacant'``, ``parcels.status =
'available'``) by area, attributes and distance, and counts same-chain firms near each
candidate. Partial indexes on the open units keep those scans proportional to the open
stock (and let it be counted from the index alone); PostgreSQL combines the ones on
area, clear height, floor load and power (bitmap AND) when a request is selective on
them. One on standard factories finds the buildings whose units may be combined, and a
GiST index on ``(industry_chain, geom)`` (``btree_gist``, created in 0001) finds the
firms of one chain in a box in one index probe.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "idx_enterprises_chain_geom": "enterprises USING gist (industry_chain, geom)",
    "idx_spaces_open_geom": "spaces USING gist (geom) WHERE status = 'vacant'",
    "idx_spaces_open_area": "spaces (area_m2) INCLUDE (id) WHERE status = 'vacant'",
    "idx_spaces_open_height": "spaces (clear_height_m) WHERE status = 'vacant'",
    "idx_spaces_open_load": "spaces (floor_load_t_m2) WHERE status = 'vacant'",
    "idx_spaces_open_power": "spaces (power_kva) WHERE status = 'vacant'",
    "idx_parcels_open_geom": "parcels USING gist (geom) WHERE status = 'available'",
    "idx_parcels_open_area": "parcels (area_m2) INCLUDE (id) WHERE status = 'available'",
    "idx_buildings_standard": "buildings (id) WHERE standard_factory",
}


def upgrade() -> None:
    for name, spec in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")

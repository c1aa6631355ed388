"""buildings.plot_ratio_factor: how many times a building's floor area counts, stored

The plot ratio counts a storey taller than 8 m twice (工业项目建设用地控制指标). The
factor (1 to 2) was evaluated from ``storey_heights_m`` with a JSON path in every
land-use query, which was half of a zone-wide summary at scale 100 (about 0.5 s of 1 s).
PostgreSQL now keeps it as a generated column, updated with the building.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FACTOR = """CASE
  WHEN jsonb_typeof(storey_heights_m) = 'array' AND jsonb_array_length(storey_heights_m) > 0
  THEN 1.0 + jsonb_array_length(jsonb_path_query_array(storey_heights_m,
         '$[*] ? (@.type() == "number" && @ > 8.0)'))::float8
       / jsonb_array_length(storey_heights_m)
  WHEN floors = 1 AND height_m > 8.0 THEN 2.0
  ELSE 1.0 END"""
"""The expression as of this revision (``parkgis.models.land.PLOT_RATIO_FACTOR_SQL``)."""


def upgrade() -> None:
    op.add_column(
        "buildings",
        sa.Column("plot_ratio_factor", sa.Float(), sa.Computed(FACTOR, persisted=True)),
    )


def downgrade() -> None:
    op.drop_column("buildings", "plot_ratio_factor")

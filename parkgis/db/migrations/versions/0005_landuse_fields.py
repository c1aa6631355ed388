"""land-use review fields: storey heights, structures and yards, energy and R&D

For the control indicators and the 亩均 evaluation (issue 13):

- ``buildings.storey_heights_m``: JSON array of storey heights in metres, ground floor
  first. The plot ratio counts a storey taller than 8 m twice (工业项目建设用地控制指标).
- ``parcels.structures_yard_m2``: ground covered by structures (构筑物) and open storage
  yards (堆场), in m²; the building coefficient counts it besides building footprints.
- ``enterprises.energy_tce``: comprehensive energy use in tonnes of standard coal
  equivalent a year (综合能耗, 吨标准煤); ``enterprises.rnd_cny``: R&D spending a year in
  CNY (研发经费支出). Both are sensitive like output and tax.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHECKS = (
    (
        "buildings",
        "storey_heights_array",
        "storey_heights_m IS NULL OR jsonb_typeof(storey_heights_m) = 'array'",
    ),
    ("parcels", "structures_yard_nonneg", "structures_yard_m2 IS NULL OR structures_yard_m2 >= 0"),
    ("enterprises", "energy_nonneg", "energy_tce IS NULL OR energy_tce >= 0"),
    ("enterprises", "rnd_nonneg", "rnd_cny IS NULL OR rnd_cny >= 0"),
)


def upgrade() -> None:
    op.add_column("buildings", sa.Column("storey_heights_m", postgresql.JSONB(), nullable=True))
    op.add_column("parcels", sa.Column("structures_yard_m2", sa.Float(), nullable=True))
    op.add_column("enterprises", sa.Column("energy_tce", sa.Float(), nullable=True))
    op.add_column("enterprises", sa.Column("rnd_cny", sa.Float(), nullable=True))
    for table, name, sql in CHECKS:
        op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, sql)


def downgrade() -> None:
    for table, name, _ in reversed(CHECKS):
        op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
    op.drop_column("enterprises", "rnd_cny")
    op.drop_column("enterprises", "energy_tce")
    op.drop_column("parcels", "structures_yard_m2")
    op.drop_column("buildings", "storey_heights_m")

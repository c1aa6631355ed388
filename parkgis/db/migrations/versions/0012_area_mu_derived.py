"""parcels.area_mu and spaces.area_mu: worked out from area_m2 when read, no longer stored

Both area columns were generated from the geometry, so every parcel or space written
measured its geodesic area twice (``ST_Area(geom::geography)`` for m², and again for
亩). That second measurement was a fifth of the database's work in a 100,000-parcel
import (about 1 s in ``bench/import.py --floor``). 亩 is m² / (10000 / 15): the ORM reads
it as ``area_m2 / 666.67`` (``column_property``), and so do the OGC API, tiles and exports
(``parkgis.features.registry``), under the same name.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("parcels", "spaces")
MU_SQL = "ST_Area(geom::geography) / 666.6666666666666"
"""The generated expression as of revision 0011 (restored by the downgrade)."""


def upgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "area_mu")


def downgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("area_mu", sa.Float(), sa.Computed(MU_SQL, persisted=True)))

"""context features (roads, rail, metro, water, landmarks) and the imports log

Adds ``imports`` (one row per loaded file: who, when, file name, SHA-256, kind, counts
and the full report) and ``context_features`` (the zone's surroundings, any geometry type
in EPSG:4326 with a GiST index; landmarks carry a subtype such as ``port``, ``station``
or ``highway_exit``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KINDS = "('parcels', 'buildings', 'spaces', 'enterprises', 'officers', 'projects', 'context')"
SUBTYPES = "('port', 'station', 'metro_station', 'highway_exit', 'airport', 'other')"


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=8), server_default="insert", nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("driver", sa.Text(), nullable=True),
        sa.Column("layer", sa.Text(), nullable=True),
        sa.Column("features", sa.Integer(), server_default="0", nullable=False),
        sa.Column("inserted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("skipped", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "report", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.CheckConstraint(f"kind IN {KINDS}", name=op.f("ck_imports_kind_known")),
        sa.CheckConstraint("mode IN ('insert', 'upsert')", name=op.f("ck_imports_mode_known")),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_imports_sha256_form")),
        sa.CheckConstraint(
            "features >= 0 AND inserted >= 0 AND updated >= 0 AND skipped >= 0",
            name=op.f("ck_imports_counts_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_imports_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index(op.f("ix_imports_at"), "imports", ["at"], unique=False)
    op.create_index(op.f("ix_imports_sha256"), "imports", ["sha256"], unique=False)
    op.create_geospatial_table(
        "context_features",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subtype", sa.String(length=24), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column(
            "props", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="GEOMETRY",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('road', 'rail', 'metro', 'water', 'landmark')",
            name=op.f("ck_context_features_kind_known"),
        ),
        sa.CheckConstraint(
            f"kind <> 'landmark' OR (subtype IS NOT NULL AND subtype IN {SUBTYPES})",
            name=op.f("ck_context_features_landmark_subtype"),
        ),
        sa.CheckConstraint(
            "ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name=op.f("ck_context_features_geom_valid")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_context_features_import_id_imports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_context_features")),
        sa.UniqueConstraint("code", name=op.f("uq_context_features_code")),
    )
    op.create_geospatial_index(
        "idx_context_features_geom",
        "context_features",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_context_features_kind"), "context_features", ["kind"], unique=False)
    op.create_index(
        op.f("ix_context_features_import_id"), "context_features", ["import_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_context_features_import_id"), table_name="context_features")
    op.drop_index(op.f("ix_context_features_kind"), table_name="context_features")
    op.drop_geospatial_index(
        "idx_context_features_geom", table_name="context_features", column_name="geom"
    )
    op.drop_geospatial_table("context_features")
    op.drop_index(op.f("ix_imports_sha256"), table_name="imports")
    op.drop_index(op.f("ix_imports_at"), table_name="imports")
    op.drop_table("imports")

"""activities and activity_firms: the programme's briefings, volunteer service, ledger reviews

The "五个一" checklist asks each officer, every month, for a policy briefing (宣讲), a
volunteer-service activity and a review of the ledger of floating party members
(流动党员台账). ``activities`` holds one row per activity (zone date, optional point in
EPSG:4326 with a GiST index, attendance, a short summary, the browser's idempotency key);
``activity_firms`` the firms each one involved. A ledger review keeps only its member
count: no names, and no summary text (``ck_activities_ledger_shape``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("member_count", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("client_key", sa.String(length=64), nullable=True),
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
            "kind IN ('briefing', 'volunteer', 'ledger_review')",
            name=op.f("ck_activities_kind_known"),
        ),
        sa.CheckConstraint(
            "attendance IS NULL OR attendance >= 0", name=op.f("ck_activities_attendance_nonneg")
        ),
        sa.CheckConstraint(
            "member_count IS NULL OR member_count >= 0",
            name=op.f("ck_activities_member_count_nonneg"),
        ),
        sa.CheckConstraint(
            "summary IS NULL OR char_length(summary) <= 500",
            name=op.f("ck_activities_summary_short"),
        ),
        sa.CheckConstraint(
            "(kind = 'ledger_review' AND member_count IS NOT NULL AND attendance IS NULL "
            "AND summary IS NULL) OR "
            "(kind <> 'ledger_review' AND member_count IS NULL AND attendance IS NOT NULL)",
            name=op.f("ck_activities_ledger_shape"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_activities_officer_id_officers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_geospatial_index(
        "idx_activities_geom",
        "activities",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_activities_officer_id"), "activities", ["officer_id"], unique=False)
    op.create_index(op.f("ix_activities_held_on"), "activities", ["held_on"], unique=False)
    op.create_index(op.f("ix_activities_client_key"), "activities", ["client_key"], unique=True)
    op.create_table(
        "activity_firms",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_firms_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_activity_firms_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "enterprise_id", name=op.f("pk_activity_firms")),
    )
    op.create_index(
        op.f("ix_activity_firms_enterprise_id"), "activity_firms", ["enterprise_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_activity_firms_enterprise_id"), table_name="activity_firms")
    op.drop_table("activity_firms")
    op.drop_index(op.f("ix_activities_client_key"), table_name="activities")
    op.drop_index(op.f("ix_activities_held_on"), table_name="activities")
    op.drop_index(op.f("ix_activities_officer_id"), table_name="activities")
    op.drop_geospatial_index("idx_activities_geom", table_name="activities", column_name="geom")
    op.drop_geospatial_table("activities")

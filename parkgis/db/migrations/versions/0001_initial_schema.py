"""initial schema: land, plant, firms, officers, projects, service, matching, auth

Besides the tables this creates the USCC check function, the exclusion constraints that
forbid two overlapping holds on one unit, and seeds the land-use classes and industry
chains from ``parkgis/data``.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of what this revision installed, so that editing live code or the data
# files never changes what an old migration does. Later reference data goes in later
# migrations.
USCC_FUNCTION = """
CREATE OR REPLACE FUNCTION parkgis_uscc_valid(code text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    alphabet constant text := '0123456789ABCDEFGHJKLMNPQRTUWXY';
    weights constant int[] := ARRAY[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    total int := 0;
    pos int;
    expect int;
BEGIN
    IF code !~ '^[0-9A-HJ-NPQRTUWXY]{18}$' THEN
        RETURN false;
    END IF;
    FOR i IN 1..17 LOOP
        pos := strpos(alphabet, substr(code, i, 1)) - 1;
        total := total + pos * weights[i];
    END LOOP;
    expect := (31 - total % 31) % 31;
    RETURN substr(alphabet, expect + 1, 1) = substr(code, 18, 1);
END;
$$;
"""

LAND_USE_CLASSES = [  # (code, name_zh, name_en, group, industrial_class, color)
    ("0101", "水田", "Paddy field", "farmland", None, "#d9f0a3"),
    ("0103", "旱地", "Dry farmland", "farmland", None, "#f7fcb9"),
    ("0701", "城镇住宅用地", "Urban residential", "residential", None, "#ffe066"),
    ("0702", "城镇社区服务设施用地", "Community services", "residential", None, "#ffd43b"),
    ("0801", "机关团体用地", "Government and institutions", "public", None, "#f783ac"),
    ("0802", "科研用地", "Research and development", "public", None, "#e64980"),
    ("0804", "教育用地", "Education", "public", None, "#faa2c1"),
    ("0901", "商业用地", "Commercial", "commercial", None, "#ff6b6b"),
    ("0902", "商务金融用地", "Business and finance", "commercial", None, "#fa5252"),
    ("1001", "工业用地", "Industrial (unclassed)", "industrial", None, "#a9744f"),
    ("100101", "一类工业用地", "Industrial class 1", "industrial", 1, "#c9a27e"),
    ("100102", "二类工业用地", "Industrial class 2", "industrial", 2, "#a9744f"),
    ("100103", "三类工业用地", "Industrial class 3", "industrial", 3, "#7f4f24"),
    ("1002", "采矿用地", "Mining", "industrial", None, "#6f4e37"),
    ("1101", "物流仓储用地", "Logistics and warehousing", "logistics", None, "#9775fa"),
    ("1102", "储备库用地", "Reserve depots", "logistics", None, "#7950f2"),
    ("1207", "城镇道路用地", "Urban roads", "roads", None, "#adb5bd"),
    ("1208", "交通场站用地", "Transport stations", "roads", None, "#868e96"),
    ("1301", "供水用地", "Water supply", "utilities", None, "#74c0fc"),
    ("1303", "供电用地", "Power supply", "utilities", None, "#339af0"),
    ("1304", "供燃气用地", "Gas supply", "utilities", None, "#1c7ed6"),
    ("1309", "环卫用地", "Sanitation", "utilities", None, "#1971c2"),
    ("1401", "公园绿地", "Parks", "green", None, "#69db7c"),
    ("1402", "防护绿地", "Protective green belt", "green", None, "#40c057"),
    ("1403", "广场用地", "Plazas", "green", None, "#b2f2bb"),
    ("16", "留白用地", "Reserved (unallocated)", "reserve", None, "#f1f3f5"),
    ("1701", "河流水面", "Rivers", "water", None, "#a5d8ff"),
]

INDUSTRY_CHAINS = [  # (code, name_zh, name_en)
    ("new_energy_vehicles", "新能源汽车及零部件", "New-energy vehicles and parts"),
    ("batteries", "新型储能电池", "Batteries and energy storage"),
    ("biomedicine", "生物医药", "Biomedicine"),
    ("metal_processing", "金属加工", "Metal processing"),
    ("furniture", "家具制造", "Furniture"),
    ("food_beverage", "食品饮料", "Food and beverage"),
    ("electronics", "电子信息", "Electronics"),
]


def seed_reference_tables(conn: sa.Connection) -> None:
    """The land-use classes and industry chains as of this revision."""
    conn.execute(
        sa.text(
            'INSERT INTO land_use_classes (code, name_zh, name_en, "group", industrial_class, '
            "color) VALUES (:code, :name_zh, :name_en, :group, :industrial_class, :color)"
        ),
        [
            dict(
                zip(
                    ("code", "name_zh", "name_en", "group", "industrial_class", "color"),
                    r,
                    strict=True,
                )
            )
            for r in LAND_USE_CLASSES
        ],
    )
    conn.execute(
        sa.text("INSERT INTO industry_chains (code, name_zh, name_en) VALUES (:code, :n, :e)"),
        [{"code": c, "n": z, "e": e} for c, z, e in INDUSTRY_CHAINS],
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(USCC_FUNCTION)
    op.create_table(
        "industry_chains",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_industry_chains")),
    )
    op.create_table(
        "land_use_classes",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("group", sa.String(length=32), nullable=False),
        sa.Column("industrial_class", sa.Integer(), nullable=True),
        sa.Column("color", sa.String(length=7), server_default="#cccccc", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_land_use_classes")),
    )
    op.create_geospatial_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("assistant_name", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "office_geom",
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
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_officers_name_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
    )
    op.create_geospatial_index(
        "idx_officers_office_geom",
        "officers",
        ["office_geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("industry_chain", sa.String(length=40), nullable=True),
        sa.Column("industry_code", sa.String(length=5), nullable=True),
        sa.Column("above_scale", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("output_cny", sa.Float(), nullable=True),
        sa.Column("tax_cny", sa.Float(), nullable=True),
        sa.Column("contact_name", sa.Text(), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
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
            "industry_code IS NULL OR industry_code ~ '^[A-T][0-9]{2,4}$'",
            name=op.f("ck_enterprises_industry_code_form"),
        ),
        sa.CheckConstraint(
            "employees IS NULL OR employees >= 0", name=op.f("ck_enterprises_employees_nonneg")
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_enterprises_name_not_blank")),
        sa.CheckConstraint(
            "output_cny IS NULL OR output_cny >= 0", name=op.f("ck_enterprises_output_nonneg")
        ),
        sa.CheckConstraint("parkgis_uscc_valid(uscc)", name=op.f("ck_enterprises_uscc_checksum")),
        sa.CheckConstraint(
            "tax_cny IS NULL OR tax_cny >= 0", name=op.f("ck_enterprises_tax_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["industry_chain"],
            ["industry_chains.code"],
            name=op.f("fk_enterprises_industry_chain_industry_chains"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
        sa.UniqueConstraint("uscc", name=op.f("uq_enterprises_uscc")),
    )
    op.create_geospatial_index(
        "idx_enterprises_geom",
        "enterprises",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_enterprises_building_id"), "enterprises", ["building_id"], unique=False
    )
    op.create_index(
        op.f("ix_enterprises_industry_chain"), "enterprises", ["industry_chain"], unique=False
    )
    op.create_index(op.f("ix_enterprises_parcel_id"), "enterprises", ["parcel_id"], unique=False)
    op.create_geospatial_table(
        "grid_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
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
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_grid_areas_geom_valid")),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_grid_areas_officer_id_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_areas")),
        sa.UniqueConstraint("code", name=op.f("uq_grid_areas_code")),
    )
    op.create_geospatial_index(
        "idx_grid_areas_geom",
        "grid_areas",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_grid_areas_officer_id"), "grid_areas", ["officer_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role <> 'officer' OR officer_id IS NOT NULL", name=op.f("ck_users_officer_linked")
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'planner', 'officer', 'investment')",
            name=op.f("ck_users_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_users_officer_id_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name=op.f("ck_api_tokens_hash_form")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
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
            "until IS NULL OR until >= since", name=op.f("ck_assignments_period_order")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_assignments_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_assignments_officer_id_officers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    op.create_index(
        op.f("ix_assignments_enterprise_id"), "assignments", ["enterprise_id"], unique=False
    )
    op.create_index(op.f("ix_assignments_officer_id"), "assignments", ["officer_id"], unique=False)
    op.create_index(
        "uq_assignments_current",
        "assignments",
        ["officer_id", "enterprise_id"],
        unique=True,
        postgresql_where=sa.text("until IS NULL"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'import', 'transition', 'hold', 'release', 'lease', 'apply')",
            name=op.f("ck_audit_log_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_geospatial_table(
        "expansion_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
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
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_expansion_requests_enterprise_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_expansion_requests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expansion_requests")),
    )
    op.create_geospatial_index(
        "idx_expansion_requests_geom",
        "expansion_requests",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_expansion_requests_enterprise_id"),
        "expansion_requests",
        ["enterprise_id"],
        unique=False,
    )
    op.create_geospatial_table(
        "parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("land_use", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("holder_enterprise_id", sa.Integer(), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("agreed_start_on", sa.Date(), nullable=True),
        sa.Column("max_far", sa.Float(), nullable=True),
        sa.Column("price_cny_m2", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("idle_flagged_on", sa.Date(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "area_m2",
            sa.Float(),
            sa.Computed("ST_Area(geom::geography)", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "area_mu",
            sa.Float(),
            sa.Computed("ST_Area(geom::geography) / 666.6666666666666", persisted=True),
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
            "status IN ('planned', 'available', 'granted', 'under_construction', 'built', 'idle')",
            name=op.f("ck_parcels_status_known"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('granted', 'under_construction', 'built', 'idle') OR granted_on IS NOT NULL",
            name=op.f("ck_parcels_granted_has_date"),
        ),
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_parcels_geom_valid")),
        sa.CheckConstraint(
            "max_far IS NULL OR (max_far > 0 AND max_far <= 20)", name=op.f("ck_parcels_far_range")
        ),
        sa.CheckConstraint(
            "price_cny_m2 IS NULL OR price_cny_m2 >= 0", name=op.f("ck_parcels_price_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["holder_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_parcels_holder_enterprise_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["land_use"],
            ["land_use_classes.code"],
            name=op.f("fk_parcels_land_use_land_use_classes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcels")),
        sa.UniqueConstraint("code", name=op.f("uq_parcels_code")),
    )
    op.create_geospatial_index(
        "idx_parcels_geom",
        "parcels",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_parcels_holder_enterprise_id"), "parcels", ["holder_enterprise_id"], unique=False
    )
    op.create_index(op.f("ix_parcels_land_use"), "parcels", ["land_use"], unique=False)
    op.create_index(op.f("ix_parcels_status"), "parcels", ["status"], unique=False)
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("in_progress_on", sa.Date(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
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
            "category IN ('labour', 'land', 'utilities', 'permits', 'policy', 'finance', 'logistics', 'environment', 'other')",
            name=op.f("ck_service_requests_category_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'resolved', 'closed')",
            name=op.f("ck_service_requests_status_known"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('resolved','closed') OR resolved_on IS NOT NULL",
            name=op.f("ck_service_requests_resolved_has_date"),
        ),
        sa.CheckConstraint(
            "closed_on IS NULL OR closed_on >= opened_on",
            name=op.f("ck_service_requests_closed_order"),
        ),
        sa.CheckConstraint(
            "resolved_on IS NULL OR resolved_on >= opened_on",
            name=op.f("ck_service_requests_resolved_order"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_service_requests_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_service_requests_officer_id_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_requests")),
    )
    op.create_index(
        op.f("ix_service_requests_enterprise_id"),
        "service_requests",
        ["enterprise_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_requests_officer_id"), "service_requests", ["officer_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_requests_status"), "service_requests", ["status"], unique=False
    )
    op.create_geospatial_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="visit", nullable=False),
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
        sa.CheckConstraint("kind IN ('visit', 'reception')", name=op.f("ck_visits_kind_known")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_visits_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_visits_officer_id_officers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_geospatial_index(
        "idx_visits_geom",
        "visits",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_visits_enterprise_id"), "visits", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_visits_officer_id"), "visits", ["officer_id"], unique=False)
    op.create_geospatial_table(
        "buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("floors", sa.Integer(), server_default="1", nullable=False),
        sa.Column("gross_floor_area_m2", sa.Float(), nullable=True),
        sa.Column("height_m", sa.Float(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("standard_factory", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "footprint_m2",
            sa.Float(),
            sa.Computed("ST_Area(geom::geography)", persisted=True),
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
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_buildings_geom_valid")),
        sa.CheckConstraint("floors >= 1 AND floors <= 200", name=op.f("ck_buildings_floors_range")),
        sa.CheckConstraint(
            "gross_floor_area_m2 IS NULL OR gross_floor_area_m2 > 0",
            name=op.f("ck_buildings_gfa_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_buildings_parcel_id_parcels"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
    )
    op.create_geospatial_index(
        "idx_buildings_geom",
        "buildings",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_buildings_parcel_id"), "buildings", ["parcel_id"], unique=False)
    op.create_geospatial_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("investment_cny", sa.Float(), nullable=True),
        sa.Column("industry_chain", sa.String(length=40), nullable=True),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("stage_reason", sa.Text(), nullable=True),
        sa.Column(
            "milestones",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
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
            "jsonb_typeof(milestones) = 'object'", name=op.f("ck_projects_milestones_object")
        ),
        sa.CheckConstraint(
            "stage IN ('negotiating', 'signed', 'land_granted', 'construction_started', 'topped_out', 'completed', 'in_production', 'stalled', 'cancelled')",
            name=op.f("ck_projects_stage_known"),
        ),
        sa.CheckConstraint(
            "investment_cny IS NULL OR investment_cny >= 0",
            name=op.f("ck_projects_investment_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_projects_enterprise_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["industry_chain"],
            ["industry_chains.code"],
            name=op.f("fk_projects_industry_chain_industry_chains"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_projects_officer_id_officers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_projects_parcel_id_parcels"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_geospatial_index(
        "idx_projects_geom",
        "projects",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_projects_enterprise_id"), "projects", ["enterprise_id"], unique=False)
    op.create_index(
        op.f("ix_projects_industry_chain"), "projects", ["industry_chain"], unique=False
    )
    op.create_index(op.f("ix_projects_officer_id"), "projects", ["officer_id"], unique=False)
    op.create_index(op.f("ix_projects_parcel_id"), "projects", ["parcel_id"], unique=False)
    op.create_index(op.f("ix_projects_stage"), "projects", ["stage"], unique=False)
    op.create_table(
        "project_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), server_default="transition", nullable=False),
        sa.Column("from_stage", sa.String(length=24), nullable=True),
        sa.Column("to_stage", sa.String(length=24), nullable=True),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "kind IN ('transition', 'replan', 'created')", name=op.f("ck_project_events_kind_known")
        ),
        sa.CheckConstraint(
            "to_stage IS NULL OR to_stage IN ('negotiating', 'signed', 'land_granted', 'construction_started', 'topped_out', 'completed', 'in_production', 'stalled', 'cancelled')",
            name=op.f("ck_project_events_to_stage_known"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_events_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_events")),
    )
    op.create_index(
        op.f("ix_project_events_project_id"), "project_events", ["project_id"], unique=False
    )
    op.create_geospatial_table(
        "spaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("clear_height_m", sa.Float(), nullable=True),
        sa.Column("floor_load_t_m2", sa.Float(), nullable=True),
        sa.Column("power_kva", sa.Float(), nullable=True),
        sa.Column("crane_t", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rent_cny_m2_month", sa.Float(), nullable=True),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("occupant_enterprise_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "area_m2",
            sa.Float(),
            sa.Computed("ST_Area(geom::geography)", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "area_mu",
            sa.Float(),
            sa.Computed("ST_Area(geom::geography) / 666.6666666666666", persisted=True),
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
            "status IN ('vacant', 'reserved', 'occupied')", name=op.f("ck_spaces_status_known")
        ),
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_spaces_geom_valid")),
        sa.CheckConstraint(
            "clear_height_m IS NULL OR (clear_height_m > 0 AND clear_height_m < 100)",
            name=op.f("ck_spaces_clear_height_range"),
        ),
        sa.CheckConstraint("crane_t IS NULL OR crane_t >= 0", name=op.f("ck_spaces_crane_nonneg")),
        sa.CheckConstraint(
            "floor >= -5 AND floor <= 200 AND floor <> 0", name=op.f("ck_spaces_floor_range")
        ),
        sa.CheckConstraint(
            "floor_load_t_m2 IS NULL OR floor_load_t_m2 > 0", name=op.f("ck_spaces_load_positive")
        ),
        sa.CheckConstraint(
            "power_kva IS NULL OR power_kva >= 0", name=op.f("ck_spaces_power_nonneg")
        ),
        sa.CheckConstraint(
            "rent_cny_m2_month IS NULL OR rent_cny_m2_month >= 0",
            name=op.f("ck_spaces_rent_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_spaces_building_id_buildings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["occupant_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_spaces_occupant_enterprise_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spaces")),
    )
    op.create_geospatial_index(
        "idx_spaces_geom",
        "spaces",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_spaces_building_id"), "spaces", ["building_id"], unique=False)
    op.create_index(
        op.f("ix_spaces_occupant_enterprise_id"), "spaces", ["occupant_enterprise_id"], unique=False
    )
    op.create_index(op.f("ix_spaces_status"), "spaces", ["status"], unique=False)
    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=True),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "held_from", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("lease_enterprise_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('released', 'leased', 'granted')",
            name=op.f("ck_reservations_outcome_known"),
        ),
        sa.CheckConstraint("expires_at >= held_from", name=op.f("ck_reservations_period_order")),
        sa.CheckConstraint(
            "num_nonnulls(space_id, parcel_id) = 1", name=op.f("ck_reservations_one_unit")
        ),
        sa.ForeignKeyConstraint(
            ["lease_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_reservations_lease_enterprise_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
            name=op.f("fk_reservations_parcel_id_parcels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["expansion_requests.id"],
            name=op.f("fk_reservations_request_id_expansion_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_reservations_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reservations_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index(op.f("ix_reservations_parcel_id"), "reservations", ["parcel_id"], unique=False)
    op.create_index(op.f("ix_reservations_space_id"), "reservations", ["space_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_enterprises_parcel_id_parcels"),
        "enterprises",
        "parcels",
        ["parcel_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_enterprises_building_id_buildings"),
        "enterprises",
        "buildings",
        ["building_id"],
        ["id"],
        ondelete="SET NULL",
    )
    for unit in ("space", "parcel"):
        op.execute(
            f"ALTER TABLE reservations ADD CONSTRAINT no_double_{unit}_hold "
            f"EXCLUDE USING gist ({unit}_id WITH =, tstzrange(held_from, expires_at) WITH &&)"
        )
    seed_reference_tables(op.get_bind())


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_enterprises_building_id_buildings"), "enterprises", type_="foreignkey"
    )
    op.drop_constraint(op.f("fk_enterprises_parcel_id_parcels"), "enterprises", type_="foreignkey")
    op.drop_index(op.f("ix_reservations_space_id"), table_name="reservations")
    op.drop_index(op.f("ix_reservations_parcel_id"), table_name="reservations")
    op.drop_table("reservations")
    op.drop_index(op.f("ix_spaces_status"), table_name="spaces")
    op.drop_index(op.f("ix_spaces_occupant_enterprise_id"), table_name="spaces")
    op.drop_index(op.f("ix_spaces_building_id"), table_name="spaces")
    op.drop_geospatial_index(
        "idx_spaces_geom", table_name="spaces", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("spaces")
    op.drop_index(op.f("ix_project_events_project_id"), table_name="project_events")
    op.drop_table("project_events")
    op.drop_index(op.f("ix_projects_stage"), table_name="projects")
    op.drop_index(op.f("ix_projects_parcel_id"), table_name="projects")
    op.drop_index(op.f("ix_projects_officer_id"), table_name="projects")
    op.drop_index(op.f("ix_projects_industry_chain"), table_name="projects")
    op.drop_index(op.f("ix_projects_enterprise_id"), table_name="projects")
    op.drop_geospatial_index(
        "idx_projects_geom", table_name="projects", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("projects")
    op.drop_index(op.f("ix_buildings_parcel_id"), table_name="buildings")
    op.drop_geospatial_index(
        "idx_buildings_geom", table_name="buildings", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("buildings")
    op.drop_index(op.f("ix_visits_officer_id"), table_name="visits")
    op.drop_index(op.f("ix_visits_enterprise_id"), table_name="visits")
    op.drop_geospatial_index(
        "idx_visits_geom", table_name="visits", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("visits")
    op.drop_index(op.f("ix_service_requests_status"), table_name="service_requests")
    op.drop_index(op.f("ix_service_requests_officer_id"), table_name="service_requests")
    op.drop_index(op.f("ix_service_requests_enterprise_id"), table_name="service_requests")
    op.drop_table("service_requests")
    op.drop_index(op.f("ix_parcels_status"), table_name="parcels")
    op.drop_index(op.f("ix_parcels_land_use"), table_name="parcels")
    op.drop_index(op.f("ix_parcels_holder_enterprise_id"), table_name="parcels")
    op.drop_geospatial_index(
        "idx_parcels_geom", table_name="parcels", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("parcels")
    op.drop_index(op.f("ix_expansion_requests_enterprise_id"), table_name="expansion_requests")
    op.drop_geospatial_index(
        "idx_expansion_requests_geom",
        table_name="expansion_requests",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("expansion_requests")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(
        "uq_assignments_current",
        table_name="assignments",
        postgresql_where=sa.text("until IS NULL"),
    )
    op.drop_index(op.f("ix_assignments_officer_id"), table_name="assignments")
    op.drop_index(op.f("ix_assignments_enterprise_id"), table_name="assignments")
    op.drop_table("assignments")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_index(op.f("ix_grid_areas_officer_id"), table_name="grid_areas")
    op.drop_geospatial_index(
        "idx_grid_areas_geom", table_name="grid_areas", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("grid_areas")
    op.drop_index(op.f("ix_enterprises_parcel_id"), table_name="enterprises")
    op.drop_index(op.f("ix_enterprises_industry_chain"), table_name="enterprises")
    op.drop_index(op.f("ix_enterprises_building_id"), table_name="enterprises")
    op.drop_geospatial_index(
        "idx_enterprises_geom",
        table_name="enterprises",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("enterprises")
    op.drop_geospatial_index(
        "idx_officers_office_geom",
        table_name="officers",
        postgresql_using="gist",
        column_name="office_geom",
    )
    op.drop_geospatial_table("officers")
    op.drop_table("land_use_classes")
    op.drop_table("industry_chains")
    op.execute("DROP FUNCTION IF EXISTS parkgis_uscc_valid(text)")

"""What each import KIND loads into: table, typed fields, synonyms, geometry and key.

Synonyms are matched after folding case and dropping spaces, ``_`` and ``-``; the target's
own name always matches. ``--map target=source`` overrides them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from parkgis.errors import InvalidInput
from parkgis.models.base import ALL_PROJECT_STAGES, PARCEL_STATUSES, SPACE_STATUSES
from parkgis.models.context import CONTEXT_KINDS, LANDMARK_SUBTYPES

FieldKind = Literal["text", "int", "float", "bool", "date", "json"]
GeomKind = Literal["MultiPolygon", "Polygon", "Point", "any"]


@dataclass(frozen=True)
class Field:
    """One column of a target table that a file may fill."""

    name: str
    kind: FieldKind = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    max_len: int | None = None
    references: str | None = None
    """``table.column`` that a non-null value must exist in (checked in SQL)."""


@dataclass(frozen=True)
class Target:
    """An import KIND: the table and what may be written to it."""

    kind: str
    table: str
    fields: tuple[Field, ...]
    geom_column: str | None
    geom_kind: GeomKind
    geom_required: bool = True
    key: str | None = None
    props_column: str | None = None
    area_field: bool = False
    """Whether an area column in the file is compared with the stored geodesic area."""

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Every field name, in order."""
        return [f.name for f in self.fields]


AREA_SYNONYMS = (
    "area",
    "area_m2",
    "shape_area",
    "面积",
    "宗地面积",
    "用地面积",
    "地块面积",
    "占地面积",
)

_ID = Field("id", "int", synonyms=("fid", "objectid"))
TARGETS: dict[str, Target] = {
    "parcels": Target(
        "parcels",
        "parcels",
        (
            Field(
                "code",
                required=True,
                max_len=40,
                synonyms=(
                    "地块编号",
                    "宗地号",
                    "宗地编号",
                    "地块号",
                    "parcel_code",
                    "plot_code",
                    "parcel_id",
                    "parcelno",
                    "编号",
                    "label",
                ),
            ),
            Field(
                "land_use",
                required=True,
                max_len=8,
                references="land_use_classes.code",
                synonyms=("用地性质", "地类", "地类编码", "用地类型", "用途", "landuse", "dlbm"),
            ),
            Field("status", required=True, choices=PARCEL_STATUSES, synonyms=("状态", "地块状态")),
            Field(
                "holder_enterprise_id",
                "int",
                references="enterprises.id",
                synonyms=("holder_id", "权利人编号"),
            ),
            Field("granted_on", "date", synonyms=("供地日期", "出让日期", "granted")),
            Field("agreed_start_on", "date", synonyms=("约定开工日期", "agreed_start")),
            Field(
                "max_far",
                "float",
                min=0.0001,
                max=20,
                synonyms=("容积率", "far", "plot_ratio", "最大容积率"),
            ),
            Field("price_cny_m2", "float", min=0, synonyms=("单价", "地价", "price")),
            Field("address", synonyms=("地址", "坐落", "位置", "zl")),
            Field("idle_flagged_on", "date", synonyms=("闲置认定日期",)),
        ),
        "geom",
        "MultiPolygon",
        key="code",
        area_field=True,
    ),
    "buildings": Target(
        "buildings",
        "buildings",
        (
            Field("parcel_id", "int", references="parcels.id", synonyms=("地块id",)),
            Field(
                "name",
                required=True,
                synonyms=("名称", "建筑名称", "楼栋名称", "楼号", "label", "uid", "building"),
            ),
            Field(
                "floors",
                "int",
                min=1,
                max=200,
                synonyms=("层数", "楼层数", "levels", "building_levels"),
            ),
            Field(
                "gross_floor_area_m2",
                "float",
                min=0.0001,
                synonyms=("建筑面积", "gfa", "floor_area"),
            ),
            Field("height_m", "float", min=0, synonyms=("高度", "建筑高度", "height")),
            Field("owner", synonyms=("产权人", "业主", "权属")),
            Field("standard_factory", "bool", synonyms=("标准厂房",)),
        ),
        "geom",
        "Polygon",
        key=None,
        area_field=True,
    ),
    "spaces": Target(
        "spaces",
        "spaces",
        (
            Field(
                "building_id",
                "int",
                required=True,
                references="buildings.id",
                synonyms=("建筑id", "楼栋id"),
            ),
            Field("code", max_len=40, synonyms=("单元编号", "编号")),
            Field("floor", "int", required=True, min=-5, max=200, synonyms=("楼层", "所在楼层")),
            Field("clear_height_m", "float", min=0.0001, max=99.99, synonyms=("净高", "层高")),
            Field("floor_load_t_m2", "float", min=0.0001, synonyms=("承重", "楼面荷载")),
            Field("power_kva", "float", min=0, synonyms=("电力", "供电容量", "变压器容量")),
            Field("crane_t", "float", min=0, synonyms=("行车", "吊车")),
            Field("status", required=True, choices=SPACE_STATUSES, synonyms=("状态",)),
            Field("rent_cny_m2_month", "float", min=0, synonyms=("租金", "月租金")),
            Field("available_from", "date", synonyms=("可用日期", "可租日期")),
            Field("occupant_enterprise_id", "int", references="enterprises.id"),
        ),
        "geom",
        "Polygon",
        key="code",
        area_field=True,
    ),
    "enterprises": Target(
        "enterprises",
        "enterprises",
        (
            Field(
                "name",
                required=True,
                synonyms=("企业名称", "名称", "公司名称", "单位名称", "company", "firm"),
            ),
            Field("name_en", synonyms=("英文名称", "english_name")),
            Field(
                "uscc",
                required=True,
                max_len=18,
                synonyms=("统一社会信用代码", "信用代码", "社会信用代码", "credit_code"),
            ),
            Field("industry_chain", references="industry_chains.code", synonyms=("产业链",)),
            Field("industry_code", max_len=5, synonyms=("行业代码", "国民经济行业代码")),
            Field("above_scale", "bool", synonyms=("规上", "规模以上", "是否规上")),
            Field("employees", "int", min=0, synonyms=("员工人数", "从业人数", "职工人数")),
            Field("output_cny", "float", min=0, synonyms=("产值", "工业总产值")),
            Field("tax_cny", "float", min=0, synonyms=("税收", "纳税额", "税收总额")),
            Field("contact_name", synonyms=("联系人",)),
            Field("contact_phone", max_len=32, synonyms=("联系电话", "电话", "手机")),
            Field("contact_email", synonyms=("邮箱", "电子邮箱", "email")),
            Field("address", synonyms=("地址", "企业地址", "注册地址")),
            Field("parcel_id", "int", references="parcels.id"),
            Field("building_id", "int", references="buildings.id"),
        ),
        "geom",
        "Point",
        key="uscc",
    ),
    "officers": Target(
        "officers",
        "officers",
        (
            Field("name", required=True, synonyms=("姓名", "服务官", "首席服务官")),
            Field("title", synonyms=("职务",)),
            Field("unit", synonyms=("单位", "部门")),
            Field("assistant_name", synonyms=("助理", "联络员")),
            Field("phone", max_len=32, synonyms=("电话", "联系电话", "手机")),
            Field("active", "bool", synonyms=("在岗",)),
        ),
        "office_geom",
        "Point",
        geom_required=False,
        key="name",
    ),
    "projects": Target(
        "projects",
        "projects",
        (
            Field("name", required=True, synonyms=("项目名称", "名称")),
            Field("enterprise_id", "int", references="enterprises.id"),
            Field("parcel_id", "int", references="parcels.id"),
            Field("officer_id", "int", references="officers.id"),
            Field("investment_cny", "float", min=0, synonyms=("投资额", "总投资")),
            Field("industry_chain", references="industry_chains.code", synonyms=("产业链",)),
            Field("stage", required=True, choices=ALL_PROJECT_STAGES, synonyms=("阶段", "进度")),
            Field("stage_reason"),
            Field("milestones", "json", synonyms=("节点",)),
        ),
        "geom",
        "Point",
        key="name",
    ),
    "context": Target(
        "context",
        "context_features",
        (
            Field("kind", required=True, choices=CONTEXT_KINDS, synonyms=("类型", "类别", "type")),
            Field("subtype", max_len=24, synonyms=("子类", "subtype", "class")),
            Field("code", max_len=40, synonyms=("编号",)),
            Field("name", synonyms=("名称", "名字", "label")),
            Field("name_en", synonyms=("英文名称", "english_name")),
        ),
        "geom",
        "any",
        key="code",
        props_column="props",
    ),
}
LANDMARK_SUBTYPE_CHOICES = LANDMARK_SUBTYPES


def target(kind: str) -> Target:
    """The :class:`Target` of an import KIND."""
    try:
        return TARGETS[kind]
    except KeyError:
        raise InvalidInput(
            f"unknown kind {kind!r}; one of {', '.join(TARGETS)}", field="kind"
        ) from None

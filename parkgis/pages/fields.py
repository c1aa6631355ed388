"""Field names and values of the collections for people, in zh or en.

:func:`field_label` gives a column's label (``land_use`` → 用地性质 / Land use) and
:func:`field_value` a value's (``status=available`` → 可供地 / Available, an address in
English, money as 亿元 / CNY million), so English pages show no raw code.
"""

from __future__ import annotations

from typing import Any

from parkgis.features.registry import COLLECTIONS
from parkgis.maps.i18n import Lang, register, t
from parkgis.pages.codes import address_en, code_label
from parkgis.pages.format import money

register(
    {
        "field.id": ("编号", "ID"),
        "field.area_m2": ("面积（m²）", "Area (m²)"),
        "field.area_mu": ("面积（亩）", "Area (mu)"),
        "field.holder_enterprise_id": ("用地企业", "Land holder (firm)"),
        "field.agreed_start_on": ("约定开工日", "Agreed start"),
        "field.idle_flagged_on": ("认定闲置日", "Flagged idle on"),
        "field.min_far": ("容积率下限", "Min. plot ratio"),
        "field.investment_wan_cny_mu": ("投资强度（万元/亩）", "Committed investment (10k CNY/mu)"),
        "field.tax_wan_cny_mu": ("亩均税收承诺（万元/亩）", "Committed tax (10k CNY/mu/year)"),
        "field.on_hold": ("预留中", "On hold"),
        "field.held_until": ("预留至", "Held until"),
        "field.parcel_id": ("地块", "Parcel"),
        "field.building_id": ("建筑", "Building"),
        "field.height_m": ("高度（m）", "Height (m)"),
        "field.standard_factory": ("标准厂房", "Standard factory"),
        "field.footprint_m2": ("占地面积（m²）", "Footprint (m²)"),
        "field.footprint_mu": ("占地面积（亩）", "Footprint (mu)"),
        "field.floor": ("楼层", "Floor"),
        "field.clear_height_m": ("净高（m）", "Clear height (m)"),
        "field.floor_load_t_m2": ("承重（t/m²）", "Floor load (t/m²)"),
        "field.power_kva": ("电力（kVA）", "Power (kVA)"),
        "field.crane_t": ("行车（t）", "Crane (t)"),
        "field.rent_cny_m2_month": ("租金（元/m²/月）", "Rent (CNY/m²/month)"),
        "field.available_from": ("可用日期", "Available from"),
        "field.occupant_enterprise_id": ("入驻企业", "Occupant (firm)"),
        "field.name_en": ("英文名称", "English name"),
        "field.uscc": ("统一社会信用代码", "Unified social credit code"),
        "field.industry_code": ("行业", "Industry"),
        "field.output_cny": ("年产值", "Annual output"),
        "field.tax_cny": ("年税收", "Annual tax"),
        "field.contact_name": ("联系人", "Contact"),
        "field.contact_phone": ("联系电话", "Phone"),
        "field.contact_email": ("电子邮箱", "E-mail"),
        "field.enterprise_id": ("企业", "Firm"),
        "field.officer_id": ("服务官", "Officer"),
        "field.investment_cny": ("投资额", "Investment"),
        "field.stage": ("阶段", "Stage"),
        "field.stage_reason": ("原因", "Reason"),
        "field.milestones": ("节点", "Milestones"),
        "field.version": ("版本", "Version"),
        "field.title": ("职务", "Title"),
        "field.unit": ("单位", "Unit"),
        "field.category": ("类别", "Category"),
        "field.department": ("部门", "Department"),
        "field.kind": ("类型", "Kind"),
        "field.energy_tce": ("能耗（吨标煤）", "Energy use (tce)"),
        "field.rnd_cny": ("研发投入", "R&D spending"),
        "yes": ("是", "Yes"),
        "no": ("否", "No"),
    }
)

_VOCAB: dict[tuple[str, str], str] = {
    ("parcels", "status"): "parcel_status",
    ("spaces", "status"): "space_status",
    ("service_requests", "status"): "request_status",
    ("service_requests", "category"): "request_category",
    ("service_requests", "department"): "department",
    ("visits", "kind"): "visit_kind",
    ("projects", "stage"): "project_stage",
    ("officers", "unit"): "officer_unit",
    ("officers", "title"): "officer_title",
}
_ANY_VOCAB = {"land_use": "land_use", "industry_chain": "chain", "industry_code": "industry_code"}


def field_label(collection: str, name: str, lang: Lang) -> str:
    """A column's label: the shared label when there is one, else (en) its description."""
    key = f"field.{name}"
    label = t(key, lang)
    if label != key:
        return label
    coll = COLLECTIONS.get(collection)
    col = coll.by_name.get(name) if coll is not None else None
    if lang == "en" and col is not None and col.description:
        return col.description
    return name.replace("_", " ")


def field_value(collection: str, name: str, value: Any, lang: Lang) -> Any:
    """A value for people: code names, yes/no, money, English addresses; else unchanged."""
    if value is None:
        return None
    vocab = _VOCAB.get((collection, name)) or _ANY_VOCAB.get(name)
    if vocab is not None:
        return code_label(vocab, value, lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if name.endswith("_cny") and isinstance(value, int | float):
        return money(value, lang)
    if name == "address" and lang == "en":
        return address_en(str(value)) or value
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return value

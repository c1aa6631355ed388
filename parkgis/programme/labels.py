"""Words of the checklist on ``/me`` and in the monthly report, in Chinese and English."""

from __future__ import annotations

from parkgis.maps.i18n import Lang

LABELS: dict[str, tuple[str, str]] = {
    "cl.title": ("本月“五个一”", "This month's five duties"),
    "cl.report": ("“五个一”完成情况", "The five duties"),
    "cl.report_note": (
        "每位服务官本月五项任务；未完成的排在前面。",
        "Each officer's five items for the month; officers missing items first.",
    ),
    "cl.done": ("已完成", "Done"),
    "cl.todo": ("待完成", "To do"),
    "cl.missed": ("未完成", "Missed"),
    "cl.all_done": ("五项全部完成", "All five done"),
    "cl.n_done": ("完成 {n}/5", "{n} of 5 done"),
    "cl.missing": ("未完成项", "Missing"),
    "cl.item.contact_firms": ("走访联系每一家包联企业", "Contact each assigned firm"),
    "cl.item.ledger": ("更新流动党员台账", "Review the floating members' ledger"),
    "cl.item.briefing": ("开展一次政策宣讲", "Hold a policy briefing"),
    "cl.item.volunteer": ("开展一次志愿服务", "Hold a volunteer activity"),
    "cl.item.requests": ("解决一批急难愁盼问题", "Solve firms' urgent problems"),
    "cl.short.contact_firms": ("联系企业", "Firms"),
    "cl.short.ledger": ("台账", "Ledger"),
    "cl.short.briefing": ("宣讲", "Briefing"),
    "cl.short.volunteer": ("志愿", "Volunteer"),
    "cl.short.requests": ("诉求办结", "Requests"),
    "cl.firms_count": ("已联系 {n}/{m} 家", "{n} of {m} firms contacted"),
    "cl.count": ("{n} 次", "{n} logged"),
    "cl.members": ("台账 {n} 人", "{n} members on the ledger"),
    "cl.requests_count": ("本月办结 {n} 件（需 {m} 件）", "{n} resolved this month ({m} needed)"),
    "act.log.briefing": ("记录政策宣讲", "Log a briefing"),
    "act.log.volunteer": ("记录志愿服务", "Log a volunteer activity"),
    "act.log.ledger_review": ("记录台账更新", "Record a ledger review"),
    "act.kind.briefing": ("政策宣讲", "Briefing"),
    "act.kind.volunteer": ("志愿服务", "Volunteer activity"),
    "act.kind.ledger_review": ("台账更新", "Ledger review"),
    "act.date": ("日期", "Date"),
    "act.firms": ("涉及企业", "Firms involved"),
    "act.attendance": ("参加人数", "Attendance"),
    "act.member_count": ("台账人数", "Members on the ledger"),
    "act.summary": ("简要内容", "Summary"),
    "act.ledger_note": (
        "只记录已核对台账及人数，不录入任何姓名。",
        "Only that the ledger was reviewed and its count: never any names.",
    ),
    "act.save": ("保存", "Save"),
    "done.activity": ("已记录活动。", "Activity logged."),
    "done.activity_dup": ("该活动此前已记录。", "This activity was logged already."),
}


def labels(lang: Lang) -> dict[str, str]:
    """Every word above in ``lang`` (``zh`` or ``en``)."""
    i = 0 if lang == "zh" else 1
    return {k: v[i] for k, v in LABELS.items()}

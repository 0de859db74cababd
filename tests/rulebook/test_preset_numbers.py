"""Each preset's numbers equal its seed's: for every time limit, numbering pattern, target and cap,
the test quotes the seed word for word (read from the seed file), takes the number from the quote
and compares it with the preset's value. Where a seed is silent the preset says so in ``source``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kesu.rulebook.services import available_presets, read_preset

SEEDS = Path("/work/shared/seeds")
S000 = "000_complaint_management_and_assessment.txt"
S002 = "002_customer_management_general.txt"
CHINESE = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def seed_says(seed: str, quote: str) -> str:
    """The quote, after checking that the seed says exactly that."""
    if not SEEDS.is_dir():
        pytest.skip("the seed texts are not on this machine")
    assert quote in (SEEDS / seed).read_text(encoding="utf-8"), f"{seed} does not say {quote!r}"
    return quote


def number(pattern: str, text: str) -> int:
    """The number the regex's group finds in the seed's words (Arabic or Chinese numerals)."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    value = match.group(1)
    return int(value) if value.isdigit() else CHINESE[value]


def policy(preset: dict[str, Any], **where: str) -> dict[str, Any]:
    (found,) = [p for p in preset["time_limits"] if all(p.get(k, "") == v for k, v in where.items())]
    return found


def clock(spec: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = [c for c in spec["clocks"] if c["kind"] == kind]
    return found


def test_every_preset_is_tested_here():
    assert set(available_presets()) == {"furniture", "telecom", "liquor", "pcb", "lawfirm"}


@pytest.mark.parametrize("name", ["furniture", "telecom", "liquor", "pcb", "lawfirm"])
def test_every_number_cites_its_seed_or_says_the_seed_is_silent(name):
    preset = read_preset(name)
    assert "seed" in preset["numbering"]["source"]
    for spec in preset["time_limits"]:
        assert "seed" in spec["source"], spec["name"]
        for quote in spec.get("quotes", []):
            seed_says(quote["seed"], quote["quote"])
    for quote in preset["numbering"].get("quotes", []):
        seed_says(quote["seed"], quote["quote"])
    if "handling_time_target" in preset:
        assert "seed" in preset["handling_time_target"]["source"]
    else:
        assert (
            "no" in preset["handling_time_target_source"] and "seed" in preset["handling_time_target_source"]
        )


# ---------------------------------------------------------------------------------------------
# furniture (seed 000 第一篇)


def test_furniture_numbers_are_year_month_day_and_the_count_in_the_year():
    """4.1.2 ①: AA年度 BB月份 s日期 xx年度内投诉次数, e.g. 100912099."""
    quote = seed_says(S000, "AA代表年度,BB代表月份,s代表日期,xx代表年度內(nèi)投訴次數(shù),如“100912099”")
    example = re.search(r"“(\d+)”", quote).group(1)
    numbering = read_preset("furniture")["numbering"]
    assert numbering["pattern"] == "{YY}{MM}{DD}{SEQ:3}" and numbering["reset"] == "yearly"
    assert len(example) == 2 + 2 + 2 + 3  # AA BB s xx as the example prints them


def test_the_committee_and_objection_sections_quote_their_seeds():
    """furniture's quality committee (seed 000 4.2.3.3 2)) and PCB's 签呈 route (seed 002 (九)12):
    every quote is the seed's, word for word; the committee's memo is due by the 2nd working day
    after the production manager received the complaint — the resolution clock from acceptance,
    which the members' agreement meets (kesu.deadlines.clocks.STOPS)."""
    from kesu.deadlines.clocks import STOPS

    furniture = read_preset("furniture")
    (rule,) = furniture["committees"]["rules"]
    for quote in rule["quotes"]:
        seed_says(quote["seed"], quote["quote"])
    assert rule["category"] == "product_quality" and [s["collects_evidence"] for s in rule["seats"]] == [
        False,
        True,
    ]
    memo = seed_says(S000, "接收到投訴處理后第2個工作日內(nèi)完成")
    resolution = clock(policy(furniture, category="product_quality"), "resolution")
    assert (resolution["amount"], resolution["start_event"]) == (number(r"第(\d+)個工作日", memo), "accepted")
    assert "committee_agreed" in STOPS["resolution"]
    pcb = read_preset("pcb")["decision_objections"]
    for quote in pcb["quotes"]:
        seed_says(quote["seed"], quote["quote"])
    assert pcb["decider"] == {"role": "general_manager"}
    for name in ("furniture", "telecom", "liquor", "lawfirm"):
        section = read_preset(name)["decision_objections"]
        assert "decider" not in section and "silent" in section["source"]
    for name in ("pcb", "telecom", "liquor"):
        assert "committees" not in read_preset(name)


def test_the_lawfirm_partners_meeting_quotes_its_seed_and_says_where_it_is_silent():
    """seed 000 第四篇 二 (二), (四): major matters are decided by the partners' meeting (a vote, for
    major complaints only); the seed gives no quorum, majority or convenor — the preset says so and
    holds Kesu's stated choice (more than half present, more than half of them agreeing)."""
    section = read_preset("lawfirm")["committees"]
    (rule,) = section["rules"]
    for quote in rule["quotes"]:
        seed_says(quote["seed"], quote["quote"])
    seed_says(S000, "重大事項應由所務會議或合伙人會議討論決定")
    assert (rule["decides_by"], rule["severity"]) == ("vote", "major")
    assert rule["vote"] == {"quorum_percent": 50, "majority_percent": 50}
    assert "SILENT" in section["source"] and "silent" in rule["source"]
    assert [seat["role"] for seat in rule["seats"]] == ["general_manager", "vice_president"]
    severities = {s["code"] for s in read_preset("lawfirm")["severities"]}
    assert rule["severity"] in severities


def test_furniture_time_limits():
    preset = read_preset("furniture")
    memo = seed_says(S000, "接收到投訴處理后第2個工作日內(nèi)完成")
    quality = policy(preset, category="product_quality")
    assert clock(quality, "resolution")["amount"] == number(r"第(\d+)個工作日", memo)
    assert clock(quality, "resolution")["unit"] == "working_days"
    visit = seed_says(S000, "產(chǎn)品質(zhì)量類投訴在返修產(chǎn)品交貨期第2天")
    assert clock(quality, "follow_up") == {
        **clock(quality, "follow_up"),
        "amount": number(r"第(\d+)天", visit),
        "unit": "calendar_days",
        "start_event": "goods_delivered",
    }
    packaging = seed_says(S000, "在第2個工作日完成處理意見并反饋客服主任")
    assert clock(policy(preset, category="appearance_packaging"), "resolution")["amount"] == number(
        r"第(\d+)個工作日", packaging
    )
    service = seed_says(S000, "對應系統(tǒng)負責人應在接收投訴后第2個工作日完成處理意見")
    assert clock(policy(preset, category="service_quality"), "resolution")["amount"] == number(
        r"第(\d+)個工作日", service
    )
    others = seed_says(S000, "其他類問題投訴在回復客戶處理意見后15天")
    generic = clock(policy(preset, name="全部投诉：答复后15天回访"), "follow_up")
    assert (generic["amount"], generic["start_event"]) == (number(r"后(\d+)天", others), "replied")
    assert "handling_time_target" not in preset


# ---------------------------------------------------------------------------------------------
# telecom (seed 000 第二篇)


@pytest.mark.parametrize(
    ("severity", "label"), [("extra_urgent", "特急"), ("urgent", "緊急"), ("normal", "一般")]
)
def test_telecom_final_reply_by_severity(severity, label):
    quote = seed_says(
        S000,
        "投訴單的簽收時限是2小時,特急投訴單最終回復時限是10小時,緊急投訴單最終回復時限是15小時,"
        "一般投訴單最終回復時限是24小時",
    )
    reply = clock(policy(read_preset("telecom"), severity=severity), "reply")
    assert reply["amount"] == number(label + r"投訴單最終回復時限是(\d+)小時", quote)
    assert (reply["unit"], reply["start_event"]) == ("elapsed_hours", "received")


def test_telecom_sign_off_and_monthly_target():
    preset = read_preset("telecom")
    sign = seed_says(S000, "投訴單的簽收時限是2小時")
    assert clock(policy(preset, name="全部工单：2小时签收"), "acknowledge")["amount"] == number(
        r"簽收時限是(\d+)小時", sign
    )
    target = seed_says(S000, "每個月投訴單的平均處理時長不能超過17小時")
    assert preset["handling_time_target"]["max_average_hours"] == number(r"不能超過(\d+)小時", target)


# ---------------------------------------------------------------------------------------------
# liquor (seed 000 第三篇)


def test_liquor_first_answer_within_24_hours_for_phone_and_letters():
    preset = read_preset("liquor")
    phone = seed_says(S000, "在24小時答復客戶")
    first = clock(policy(preset, channel="phone"), "customer_ack")
    assert (first["amount"], first["unit"]) == (number(r"(\d+)小時", phone), "elapsed_hours")
    letter = seed_says(S000, "并在24小時內(nèi)給客戶進行登記、回復客戶確認")
    assert clock(policy(preset, channel="letter"), "customer_ack")["amount"] == number(r"(\d+)小時", letter)
    # the first answer is not the final reply: no phone policy sets a reply clock from receipt
    assert all(c["kind"] != "reply" for p in preset["time_limits"] if p.get("channel") for c in p["clocks"])


def test_liquor_three_working_days_and_at_most_seven():
    quote = seed_says(S000, "客戶投訴處理期限不能超過三個工作日,特殊狀況不能超過七個工作日")
    handling = clock(policy(read_preset("liquor"), channel=""), "resolution")
    limit = number(r"不能超過(.)個工作日,", quote)
    ceiling = number(r"特殊狀況不能超過(.)個工作日", quote)
    assert (handling["amount"], handling["unit"]) == (limit, "working_days")
    assert handling["amount"] + handling["max_extension"] == ceiling
    assert handling.get("pausable", False) is False  # a pause would pass the ceiling


def test_liquor_feedback_within_24_hours_of_handling():
    quote = seed_says(S000, "營管辦在24小時內(nèi)會將客戶處理反饋單反饋給投訴客戶")
    reply = clock(policy(read_preset("liquor"), channel=""), "reply")
    assert (reply["amount"], reply["start_event"]) == (number(r"(\d+)小時", quote), "resolution_proposed")


# ---------------------------------------------------------------------------------------------
# PCB (seed 002)


def test_pcb_numbering_is_year_month_and_a_two_digit_monthly_serial():
    quote = seed_says(S002, "年度(××)月份(××)流水編號(××)")
    seed_says(S002, "編號周期以年度月份為原則")
    widths = [len(part) for part in re.findall(r"\((×+)\)", quote)]
    assert widths == [2, 2, 2]
    numbering = read_preset("pcb")["numbering"]
    assert numbering["pattern"] == f"{{YY}}{{MM}}{{SEQ:{widths[2]}}}" and numbering["reset"] == "monthly"


@pytest.mark.parametrize(("market", "label"), [("domestic", "國內"), ("overseas", "國外")])
def test_pcb_closes_in_13_days_domestic_17_foreign_never_paused(market, label):
    quote = seed_says(S002, "處理期限自總經理室受理起國內13天國外17天內結案")
    close = clock(policy(read_preset("pcb"), market=market), "close")
    assert close["amount"] == number(label + r"(\d+)天", quote)
    assert (close["unit"], close["start_event"], close.get("pausable", False)) == (
        "calendar_days",
        "registered",
        False,
    )


# ---------------------------------------------------------------------------------------------
# law firm (seed 000 第四篇)


def test_lawfirm_states_no_time_limit_and_numbers_by_year():
    preset = read_preset("lawfirm")
    seed_says(S000, "行政人員應按年度建立案宗")
    assert preset["numbering"]["reset"] == "yearly"
    assert "silent" in preset["numbering"]["source"]
    assert preset["time_limits"] == [] and "no time limit" in preset["time_limits_source"]
    assert "handling_time_target" not in preset


def test_lawfirm_major_complaints_go_to_the_partners_meeting():
    preset = read_preset("lawfirm")
    quote = seed_says(S000, "重大事項應由所務會議或合伙人會議討論決定")
    assert "partners' meeting" in preset["description"]
    assert quote in [q["quote"] for q in preset["description_quotes"]]
    assert {s["code"] for s in preset["severities"]} == {"major", "normal"}


# ---------------------------------------------------------------------------------------------
# scheduled reports (issue 12 §4): which report, by which day, each quoting its seed


def schedule(preset: dict[str, Any], code: str) -> dict[str, Any]:
    (found,) = [s for s in preset["report_schedules"]["schedules"] if s["code"] == code]
    for quote in found["quotes"]:
        seed_says(quote["seed"], quote["quote"])
    return found


def test_pcb_statistics_table_by_the_10th_of_each_month():
    quote = seed_says(S002, "總經理室生產管理組每月10日前匯總上月份結案的案件于“客戶投訴案件統計表”")
    table = schedule(read_preset("pcb"), "pcb-monthly-statistics")
    assert (table["cadence"], table["day"]) == ("monthly", number(r"每月(\d+)日前", quote))
    assert table["listing"] == "closed" and "上月份結案" in quote


def test_telecom_network_report_by_the_7th_and_fault_table_every_monday_at_930():
    preset = read_preset("telecom")
    monthly = seed_says(S000, "每個月7號前提交前個月的網(wǎng)絡投訴報告")
    report = schedule(preset, "telecom-network-report")
    assert (report["cadence"], report["day"]) == ("monthly", number(r"每個月(\d+)號前", monthly))
    weekly = seed_says(S000, "每周一早上9:30將故障及疑似故障投訴的處理情況")
    table = schedule(preset, "telecom-fault-tracking")
    assert (table["cadence"], table["day"], table["at"]) == (
        "weekly",
        number(r"每周(.)早上", weekly),
        "09:30",
    )
    assert "9:30" in weekly


@pytest.mark.parametrize("name", ["furniture", "lawfirm"])
def test_rule_books_without_a_report_schedule_none_and_say_so(name):
    section = read_preset(name)["report_schedules"]
    assert section["schedules"] == [] and "no scheduled report" in section["source"]


def test_every_schedule_cites_its_seed():
    for name in ("furniture", "telecom", "liquor", "pcb", "lawfirm"):
        for spec in read_preset(name)["report_schedules"]["schedules"]:
            assert "seed" in spec["source"] and spec["quotes"], spec["code"]
            for quote in spec["quotes"]:
                seed_says(quote["seed"], quote["quote"])


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Accountability (考核, issue 10): every rule cites its clause, and its number is the seed's


@pytest.mark.parametrize("name", ["furniture", "telecom", "liquor", "pcb", "lawfirm"])
def test_every_assessment_rule_cites_its_seed_and_its_amount_is_the_quoted_one(name):
    section = read_preset(name)["assessment"]
    assert "seed" in section["source"] and "seed" in section["settings"]["source"]
    for quote in section["settings"].get("quotes", []):
        seed_says(quote["seed"], quote["quote"])
    for rule in section["rules"]:
        assert "seed" in rule["source"], rule["code"]
        quotes = [seed_says(q["seed"], q["quote"]) for q in rule["quotes"]]
        assert quotes, rule["code"]
        amount = f"{float(rule['amount']):g}"
        if rule["cost"] == "points":
            unit = "分"
            found = any(
                re.search(rf"[-(+]{amount}(~\d+)?{unit}?/", q) or (amount == "1" and "扣一分" in q)
                for q in quotes
            )
            assert found, f"{rule['code']}: {amount}{unit} not in its quote"
        elif rule["cost"] in ("yuan", "yuan_per_base"):
            assert any(f"{amount}元" in q for q in quotes), f"{rule['code']}: {amount}元 not in its quote"


def test_telecom_scorecard_is_95_points_in_sections_of_15_40_20_20_assessed_on_the_7th():
    """第二篇: 每个月7号对前一个月进行考核,满分是95分; 一 (15分) 二 (40分) 三 (20分) 四 (20分)."""
    section = read_preset("telecom")["assessment"]
    quote = seed_says(S000, "每個月7號對前一個月進行考核,滿分是95分")
    assert section["settings"]["draft_day"] == number(r"每個月(\d+)號", quote)
    (card,) = section["scorecards"]
    assert float(card["max_points"]) == number(r"滿分是(\d+)分", quote)
    points = {s["code"]: float(s["points"]) for s in card["sections"]}
    for code, heading in [
        ("work_norms", "一、工作規(guī)范(15分)"),
        ("tickets", "二、投訴單處理及現(xiàn)場測試規(guī)范(40分)"),
        ("solutions", "三、投訴解決方案(20分)"),
        ("reports", "四、報表類(20分)"),
    ]:
        assert points[code] == number(r"\((\d+)分\)", seed_says(S000, heading))
    assert sum(points.values()) == float(card["max_points"])


def test_telecom_late_tickets_lose_2_each_and_the_whole_item_after_5_and_the_average_17_hours():
    rules = {r["code"]: r for r in read_preset("telecom")["assessment"]["rules"]}
    quote = rules["eoms_on_time"]["quotes"][0]["quote"]
    assert rules["eoms_on_time"]["max_per_month"] == number(r"月累計(\d+)張以上扣除該項目所有分數", quote)
    assert float(rules["eoms_on_time"]["amount"]) == number(r"\(-(\d+)分/張", quote)
    assert set(rules["eoms_on_time"]["clock_kinds"]) == {"acknowledge", "reply"}
    average = rules["average_handling"]["quotes"][0]["quote"]
    assert float(rules["average_handling"]["threshold_hours"]) == number(r"不能超過(\d+)小時", average)
    assert float(rules["average_handling"]["amount"]) == number(r"\(-(\d+)分/月\)", average)
    assert float(rules["secondary"]["amount"]) == number(
        r"\(-(\d+)分/張\)", rules["secondary"]["quotes"][0]["quote"]
    )
    assert rules["use_10086"]["max_per_month"] == number(
        r"月累計(\d+)次以上", rules["use_10086"]["quotes"][0]["quote"]
    )
    assert all(rules[c]["is_bonus"] for c in ("bonus_parameters", "bonus_antenna", "bonus_case_adopted"))


def test_pcb_caps_at_50_percent_and_converts_sanctions_to_400_800_per_base_and_the_whole_bonus():
    """经济处罚准则 (三)4 and 行政罚扣折算 1–3; drafted on the 10th ((十二)1)."""
    section = read_preset("pcb")["assessment"]
    cap = seed_says(S002, "客戶投訴罰扣最高金額以全月效率獎金50%為準,該月份超過50%以上者逐月分期罰扣")
    assert float(section["settings"]["bonus_cap_percent"]) == number(r"效率獎金(\d+)%", cap)
    day = seed_says(S002, "總經理室生產管理組每月10日前應審視上月份結案的客戶投訴案件")
    assert section["settings"]["draft_day"] == number(r"每月(\d+)日前", day)
    rules = {r["code"]: r for r in section["rules"]}
    assert rules["loss_share"]["cost"] == "loss_share" and rules["loss_share"]["capped_by_bonus"] is True
    assert float(rules["warning"]["amount"]) == number(
        r"罰扣(\d+)元以上", seed_says(S002, "1、警告一次,罰扣400元以上。")
    )
    minor = seed_says(S002, "2、小過一次,以每基數罰扣800元以上。")
    assert (rules["minor_demerit"]["cost"], float(rules["minor_demerit"]["amount"])) == (
        "yuan_per_base",
        number(r"罰扣(\d+)元以上", minor),
    )
    assert rules["major_demerit"]["cost"] == "whole_bonus"
    assert not any(rules[c].get("capped_by_bonus") for c in ("warning", "minor_demerit", "major_demerit"))


def test_liquor_one_point_per_complaint_and_furniture_fines_50_50_100():
    (liquor,) = read_preset("liquor")["assessment"]["rules"]
    assert seed_says(S000, "客戶投訴考核按投訴一次扣一分") and float(liquor["amount"]) == CHINESE["一"]
    assert (liquor["fact"], liquor["cost"]) == ("complaint_received", "points")
    furniture = {r["code"]: float(r["amount"]) for r in read_preset("furniture")["assessment"]["rules"]}
    assert furniture == {
        "policy_grievance": 50,
        "unauthorised_notice": 50,
        "unauthorised_notice_complaint": 100,
    }
    assert read_preset("lawfirm")["assessment"]["rules"] == []  # seed 000 第四篇 is silent


def test_no_company_s_assessment_rule_leaks_into_another_preset():
    codes = {
        name: {r["code"] for r in read_preset(name)["assessment"]["rules"]} for name in available_presets()
    }
    assert not codes["furniture"] & (codes["telecom"] | codes["pcb"] | codes["liquor"])
    assert not codes["pcb"] & (codes["telecom"] | codes["liquor"])
    assert all(q["seed"] == S002 for r in read_preset("pcb")["assessment"]["rules"] for q in r["quotes"])


# fulfilment (issue 9 §3): return rules, over-delivery tolerance, the credit note's approvers


def test_liquor_return_rules_equal_the_seeds_words():
    """seed 000 第三篇 二 3.2: sediment and large floating matter are returned; mould within 15 days
    of shipment is returned unconditionally; damage from the customer's storage is not returned."""
    rules = {r["code"]: r for r in read_preset("liquor")["fulfilment"]["return_rules"]}
    for rule in rules.values():
        assert "seed 000" in rule["source"]
        for quote in rule["quotes"]:
            seed_says(quote["seed"], quote["quote"])
    mould = seed_says(S000, "如果是在出庫15天內(nèi)發(fā)霉")
    assert rules["mould_within_15_days"]["within_days"] == number(r"出庫(\d+)天", mould)
    assert rules["mould_within_15_days"]["returned"] and rules["mould_within_15_days"]["unconditional"]
    seed_says(S000, "按退貨的受理流程辦理無條件退貨")
    seed_says(S000, "因客戶倉儲不當導致的包裝發(fā)霉,瓶蓋扭斷,滲漏等現(xiàn)象不屬于質(zhì)量事故不給于退貨")
    assert rules["storage_damage"]["returned"] is False
    seed_says(S000, "產(chǎn)品出現(xiàn)沉淀,較大懸浮物")
    assert rules["sediment"]["returned"] and rules["sediment"]["within_days"] is None


@pytest.mark.parametrize("name", ["furniture", "telecom", "liquor", "pcb", "lawfirm"])
def test_fulfilment_sections_cite_their_seed_and_leak_nothing(name):
    section = read_preset(name)["fulfilment"]
    for carrier in section["carriers"]:
        assert "seed" in carrier["source"]
    assert (
        "seed" in section["over_delivery_tolerance_source"]
        or "silent" in section["over_delivery_tolerance_source"]
    )
    assert "over_delivery_tolerance" not in section  # no seed gives a company tolerance number
    assert "seed" in section["credit_note_numbering"]["source"]
    if name != "liquor":
        assert section["return_rules"] == []  # the liquor plant's rules stay in its preset


def test_pcb_credit_note_goes_to_the_manager_then_the_general_manager():
    quote = seed_says(S002, "呈經(副)理、總(副)經理核簽及送客戶簽章后一份存業務部,一份送會計作帳")
    (rule,) = [r for r in read_preset("pcb")["approval_rules"] if r["step"] == "credit_note"]
    assert quote in [q["quote"] for q in rule["quotes"]]
    assert [[a["role"] for a in level["approvers"]] for level in rule["levels"]] == [
        ["department_head"],
        ["general_manager", "vice_president"],
    ]
    tolerance = read_preset("pcb")["fulfilment"]["over_delivery_tolerance_quotes"][0]
    seed_says(tolerance["seed"], tolerance["quote"])


S001 = "001_customer_management_15_policies.txt"


@pytest.mark.parametrize("name", ["furniture", "telecom", "liquor", "pcb", "lawfirm"])
def test_the_archive_section_cites_its_seed_or_says_it_is_silent(name):
    archive = read_preset(name)["archive"]
    rules = archive["rules"]
    for key in ("duplicate_source", "registration_source"):
        assert "seed" in rules[key], key
    assert "seed" in rules["numbering"]["source"]
    for quote in rules.get("quotes", []):
        seed_says(quote["seed"], quote["quote"])
    for entry in archive["profile_fields"] + archive["classes"]:
        assert "seed" in entry["source"], entry["code"]


def test_pcb_registers_a_new_customer_within_the_seeds_working_days():
    """Seed 002 客户管理管理制度通用5 1.4 1."""
    quote = seed_says(S002, "須在5個工作日內到市場推廣部進行備案")
    assert read_preset("pcb")["archive"]["rules"]["registration_working_days"] == number(
        r"(\d+)個工作日", quote
    )


def test_pcb_has_the_seeds_four_customer_classes():
    quote = seed_says(S002, "公司客戶分為四個類別:目標客戶、一般客戶、重點客戶和潛在客戶")
    classes = [c for c in read_preset("pcb")["archive"]["classes"] if c["scheme"] == "class"]
    assert len(classes) == number(r"分為(.)個類別", quote)


def test_furniture_keeps_seed_001s_whole_personal_template():
    """Seed 001 客户信息档案(参考模版): 42 numbered fields in six groups (一 … 六)."""
    last = seed_says(S001, "42、主見")
    fields = [f for f in read_preset("furniture")["archive"]["profile_fields"] if f["kind"] == "person"]
    assert len(fields) == number(r"(\d+)、", last)
    assert len({f["group"] for f in fields}) == CHINESE["六"]

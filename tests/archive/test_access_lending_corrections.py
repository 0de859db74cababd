"""Issue 11 §4 access requests and lending, and seed 001 #4's correction procedure, walked with
the seeds' roles through the API: who asks, who decides, for how long, what is recorded."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from kesu.archive import access, corrections, secrecy
from kesu.archive.access_models import AccessRequest, AccessRules
from kesu.archive.models import ArchiveChange, ReadAudit, StaffContact
from kesu.notifications.models import Notification

BASE = "/api/v1"
PRESETS = Path(__file__).resolve().parents[2] / "kesu" / "rulebook" / "presets"
SEEDS = Path("/work/shared/seeds")


def _ask(api, who, number, kind="read", reason="核对合同条款"):
    return api(who).post(
        f"{BASE}/archive-access-requests", {"archive": number, "kind": kind, "reason": reason}
    )


def _decide(api, who, pk, approve=True, note=""):
    return api(who).post(f"{BASE}/archive-access-requests/{pk}/decision", {"approve": approve, "note": note})


def test_another_departments_classified_archive_needs_the_gm_and_is_time_boxed(org, dealer, api, as_user):
    # given a confidential archive the production handler may not know
    secrecy.set_level(archive=dealer, by=org.gm, level="confidential", reason="谈判中")
    assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 404
    # when they ask with a reason
    response = _ask(api, org.production_handler, dealer.number)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["own_department"]) == ("approval", False)
    # then their own department head may not decide (another department's archive: the GM)
    assert _decide(api, org.production_head, body["id"]).status_code == 403
    assert _decide(api, org.production_handler, body["id"]).status_code == 403
    decided = _decide(api, org.gm, body["id"], note="同意查阅一周")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    # the access holds for the rule book's days, and each read is audited
    assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 200
    assert ReadAudit.objects.filter(staff=org.production_handler, kind="page").count() == 1
    assert ArchiveChange.objects.filter(archive=dealer, field="access").count() == 2
    later = timezone.now() + timedelta(days=AccessRules.current().read_days, minutes=1)
    with time_machine.travel(later, tick=False):
        assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 404
        assert access.expire() == 1 and access.expire() == 0
    assert AccessRequest.objects.get().status == "expired"


def test_own_departments_archive_is_decided_by_the_department_manager(org, dealer, api):
    StaffContact.objects.create(archive=dealer, staff=org.production_head)  # production looks after it
    secrecy.set_level(archive=dealer, by=org.gm, level="secret", reason="合同")
    body = _ask(api, org.production_handler, dealer.number).json()
    assert body["own_department"] is True
    assert _decide(api, org.quality_head, body["id"]).status_code == 403  # another department's head
    assert _decide(api, org.production_head, body["id"]).json()["status"] == "approved"


def test_top_secret_access_only_by_a_vp_or_the_gm(org, dealer, api):
    StaffContact.objects.create(archive=dealer, staff=org.production_head)
    secrecy.set_level(archive=dealer, by=org.gm, level="top_secret", reason="重大决策")
    pk = _ask(api, org.production_handler, dealer.number).json()["id"]
    assert _decide(api, org.production_head, pk).status_code == 403
    assert _decide(api, org.vp, pk).json()["status"] == "approved"


def test_bad_requests_are_clear_errors(org, dealer, api):
    # an open archive (one's own department's public record) needs no request
    response = _ask(api, org.clerk, dealer.number)
    assert response.status_code == 422 and "archive" in response.json()["errors"]
    secrecy.set_level(archive=dealer, by=org.gm, level="secret", reason="合同")
    assert _ask(api, org.clerk, dealer.number).status_code == 422  # the desk already may know it
    assert _ask(api, org.production_handler, "KH-NONE").status_code == 422
    assert _ask(api, org.production_handler, dealer.number, reason="").status_code == 422
    assert _ask(api, org.production_handler, dealer.number, kind="copy").status_code == 422
    pk = _ask(api, org.production_handler, dealer.number).json()["id"]
    assert _ask(api, org.production_handler, dealer.number).status_code == 422  # one open request
    assert _decide(api, org.gm, pk, approve=False).status_code == 422  # a refusal needs a note
    assert _decide(api, org.gm, pk, approve=False, note="无业务需要").json()["status"] == "refused"
    assert _decide(api, org.gm, pk).status_code == 409
    assert _decide(api, org.outsider, 999999).status_code == 404


def test_lending_is_reviewed_approved_registered_returned_and_reminded(org, dealer, api, as_user):
    secrecy.set_level(archive=dealer, by=org.gm, level="secret", reason="合同")
    pk = _ask(api, org.production_handler, dealer.number, kind="lend", reason="上门核对资质").json()["id"]
    # seed 001 #6 3.2.7: the department head reviews, the GM approves, then it is registered
    assert _decide(api, org.gm, pk).json()["status"] == "approval"  # the GM may review too
    assert _decide(api, org.production_head, pk).status_code == 403  # approval is the GM's
    assert _decide(api, org.gm, pk).json()["status"] == "approved"
    assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 404
    assert (
        api(org.production_handler).post(f"{BASE}/archive-access-requests/{pk}/lent", {}).status_code == 403
    )
    too_late = (timezone.localdate() + timedelta(days=60)).isoformat()
    assert (
        api(org.clerk).post(f"{BASE}/archive-access-requests/{pk}/lent", {"due_back": too_late}).status_code
        == 422
    )
    lent = api(org.clerk).post(f"{BASE}/archive-access-requests/{pk}/lent", {})
    assert lent.json()["status"] == "lent"
    assert lent.json()["due_back"] == (timezone.localdate() + timedelta(days=14)).isoformat()
    # while lent the borrower reads it
    assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 200
    # overdue: reminded once a day, borrower and keepers
    with time_machine.travel(timezone.now() + timedelta(days=16), tick=False):
        assert access.remind_overdue() == 1 and access.remind_overdue() == 0
    reminded = set(Notification.objects.values_list("recipient__user__username", flat=True))
    assert {"prodhandler", "clerk", "director"} <= reminded
    assert "锦程" not in Notification.objects.first().title
    returned = api(org.clerk).post(f"{BASE}/archive-access-requests/{pk}/returned", {})
    assert returned.json()["status"] == "returned"
    assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 404
    listed = api(org.clerk).get(f"{BASE}/archive-access-requests").json()
    assert listed["mine"] == [] and listed["waiting_for_me"] == []


def _step(api, who, pk, approve=True, note=""):
    return api(who).post(f"{BASE}/correction-requests/{pk}/steps", {"approve": approve, "note": note})


def test_a_correction_follows_seed_001_4_and_changes_nothing_before_execution(org, dealer, api):
    # 客服部人员制订补救处理方案
    response = api(org.clerk).post(
        f"{BASE}/customers/{dealer.number}/correction-requests",
        {"changes": {"phone": "021-6234 9999"}, "plan": "登记电话有误，按营业执照更正"},
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["status"] == "review"
    # 客服部经理审核 → 总经理审批: each only by its role
    assert _step(api, org.clerk, pk).status_code == 403
    assert _step(api, org.director, pk).json()["status"] == "approval"
    assert _step(api, org.director, pk).status_code == 403
    assert _step(api, org.gm, pk).json()["status"] == "execution"
    dealer.customer.refresh_from_db()
    assert dealer.customer.phone == "021-6234 5678"  # nothing changed before execution
    # 客服部组织执行 (other departments' feedback): the change is written with its old value
    assert _step(api, org.clerk, pk, note="销售部已更新联系方式").json()["status"] == "report"
    dealer.customer.refresh_from_db()
    assert dealer.customer.phone == "021-6234 9999"
    change = ArchiveChange.objects.get(archive=dealer, field="phone")
    assert (change.old, change.new, change.by) == ("021-6234 5678", "021-6234 9999", org.clerk)
    # 客服部写报告 → 客服经理审核 → 总经理审批 → 存档
    assert _step(api, org.clerk, pk).status_code == 422  # the report is required
    assert _step(api, org.clerk, pk, note="已更正，客户确认").json()["status"] == "report_review"
    assert _step(api, org.director, pk).json()["status"] == "report_approval"
    done = _step(api, org.gm, pk).json()
    assert done["status"] == "archived"
    assert [s["action"] for s in done["steps"]] == [
        "draft",
        "review",
        "approve",
        "execute",
        "report",
        "review_report",
        "approve_report",
    ]
    assert _step(api, org.gm, pk).status_code == 409
    listed = api(org.director).get(f"{BASE}/customers/{dealer.number}/correction-requests").json()
    assert listed["items"][0]["report"] == "已更正，客户确认"


def test_a_refused_correction_changes_nothing_and_bad_drafts_are_refused_by_field(org, dealer, api):
    url = f"{BASE}/customers/{dealer.number}/correction-requests"
    bad = api(org.clerk).post(url, {"changes": {"phone": "abc", "profile.nope": "x"}, "plan": ""})
    assert bad.status_code == 422
    assert {"changes.phone", "changes.profile.nope", "plan"} <= set(bad.json()["errors"])
    assert api(org.production_handler).post(url, {"changes": {"name": "X"}, "plan": "p"}).status_code == 403
    pk = (
        api(org.clerk)
        .post(url, {"changes": {"name": "上海锦程家具有限公司"}, "plan": "名称错字"})
        .json()["id"]
    )
    assert _step(api, org.director, pk, approve=False).status_code == 422
    assert (
        _step(api, org.director, pk, approve=False, note="以营业执照为准，无需更正").json()["status"]
        == "refused"
    )
    dealer.customer.refresh_from_db()
    assert dealer.customer.name == "上海锦程家居有限公司"
    assert corrections.waiting_for(org.gm) == []


@pytest.mark.parametrize("preset", ["furniture", "lawfirm", "liquor", "pcb", "telecom"])
def test_the_presets_access_rules_are_the_seeds(db, preset):
    section = json.loads((PRESETS / f"{preset}.json").read_text(encoding="utf-8"))["archive_access"]
    # seed 002 1.5: 本业务部门…经部门经理批准; 非本业务部门…经总经理批准
    assert (section["read_own_approver"], section["read_other_approver"]) == (
        "department_head",
        "general_manager",
    )
    # seed 001 #6 3.2.7: 招商部负责人审核，总经理审批
    assert (section["lend_reviewer"], section["lend_approver"]) == ("department_head", "general_manager")
    # seed 001 #4: 客服部经理审核 … 总经理审批
    assert (section["correction_reviewer"], section["correction_approver"]) == (
        "cs_director",
        "general_manager",
    )
    assert "silent" in section["read_days_source"] and "silent" in section["lend_days_source"]
    if SEEDS.exists():
        seed002 = (SEEDS / "002_customer_management_general.txt").read_text(encoding="utf-8")
        assert "本業務部門客戶檔案,經部門經理批準" in seed002
        assert "非本業務部門客戶檔案,經總經理批準" in seed002
        seed001 = (SEEDS / "001_customer_management_15_policies.txt").read_text(encoding="utf-8")
        # the seed's text carries pinyin after some characters: 經(jīng)理
        assert "交由客服部經(jīng)理審核" in seed001 and "招商部負責人審核" in seed001

"""The decision on the complaint page: the current version (cause, shares, remedies, money split per
party), its approval by amount and the history, at a fixed number of queries; the reply form
proposes the approved decision (seed 002 (九)11: sales may promise nothing beyond it)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kesu.approvals.services import decide_approval
from kesu.complaints.models import Complaint
from kesu.decisions.panels import decision_panel
from kesu.decisions.selectors import approved_decision_text
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision
from tests.decisions.test_wiring import _act, pcb, proposed  # noqa: F401 (pcb: the fixture)
from tests.web.conftest import as_user, opened_form  # noqa: F401 (the fixture)


def _propose(complaint: Complaint, people, compensation: str):
    return propose_decision(
        complaint=complaint,
        by=people["qa"],
        cause="quality_defect",
        shares=[
            ShareIn(party="department", department="quality", share="60"),
            ShareIn(party="customer", name="刘先生", share="40"),
        ],
        remedies=[RemedyIn(kind="repair", quantity=2), RemedyIn(kind="allowance", amount="300.00")],
        money=MoneyIn(loss_amount="1000.00", compensation=compensation),
    )


def with_versions(people, n: int) -> Complaint:
    """A complaint whose decision has ``n`` versions: the first n−1 refused by the GM, the last
    waiting for him (the amount is above the example 50 000)."""
    complaint = proposed(people)
    for i in range(n):
        version = _propose(complaint, people, "60000.00")
        if i < n - 1:
            decide_approval(
                approval=version.approval, by=people["gm"], approve=False, reason=f"第{i + 1}次退回"
            )
            complaint = _act(complaint, "propose_resolution", people["qa"], resolution=f"第{i + 2}稿")
    return Complaint.objects.get(pk=complaint.pk)


def page(client, complaint: Complaint) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("complaint-detail", args=[complaint.number]))
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def section(html: str) -> str:
    start = html.index('id="decision"')
    return html[start : html.index("</section>", start)]


def panel_queries(complaint: Complaint) -> int:
    """The decision panel alone: its context and its template."""
    with CaptureQueriesContext(connection) as captured:
        render_to_string("decisions/_decision.html", decision_panel(complaint))
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_decision_panel_costs_the_same_queries_with_one_or_three_versions(as_user, pcb):  # noqa: F811
    client = as_user(pcb["director"])
    one, three = with_versions(pcb, 1), with_versions(pcb, 3)
    # the panel itself, the last version waiting for the GM (who must decide is read too)
    assert panel_queries(one) == panel_queries(three)
    html_one, _count = page(client, one)
    html_three, _count = page(client, three)

    panel = section(html_three)
    # the current version: cause, both parties and their shares, the remedies, who must decide
    for text in ["明显质量问题", "质量部 60.00%", "刘先生 40.00%", "¥300.00", "×2", "赵总", "60000"]:
        assert text in panel, text
    # the money split per party, to the fen: the loss 1 000 is 600 / 400
    assert "¥600.00" in panel and "¥400.00" in panel
    # every version is listed, with the GM's refusals and their reasons
    assert len(re.findall(r'class="decision-version"', panel)) == 3
    assert "第1次退回" in panel and "第2次退回" in panel
    assert len(re.findall(r'class="decision-version"', section(html_one))) == 1

    # the whole page, once the last version is approved in both (each approval has decisions)
    for complaint in (one, three):
        version = complaint.decision.versions.order_by("-number").first()
        decide_approval(approval=version.approval, by=pcb["gm"], approve=True)
    assert page(client, one)[1] == page(client, three)[1]


@pytest.mark.django_db
def test_the_reply_form_proposes_the_approved_decision(as_user, pcb):  # noqa: F811
    """seed 002 (九)11: the reply passes on what was approved — the form starts with it."""
    complaint = with_versions(pcb, 2)
    version = complaint.decision.versions.order_by("-number").first()
    decide_approval(approval=version.approval, by=pcb["gm"], approve=True)

    client = as_user(pcb["control_group"])
    html, _count = page(client, complaint)
    form = opened_form(client, complaint.number, "reply_to_customer")
    reply = re.search(r'<textarea name="reply_to_customer-reply"[^>]*>(.*?)</textarea>', form, re.S)
    assert reply is not None
    text = html_lib.unescape(reply.group(1)).strip()
    with translation.override(settings.LANGUAGE_CODE):  # the page's language
        assert text == approved_decision_text(complaint=complaint)
    assert "明显质量问题" in text and "¥60000.00" in text
    assert "approved-text" in section(html)


@pytest.mark.django_db
def test_without_a_decision_the_page_has_no_panel_and_the_reply_no_proposal(as_user, pcb):  # noqa: F811
    complaint = proposed(pcb)
    html, _count = page(as_user(pcb["director"]), complaint)
    assert 'id="decision"' not in html

"""The partners' meeting in a real browser, in the Chinese UI, on a 390 px phone and a desktop
screen (seed 000 第四篇 二 (二), (四)): the director convenes it on the complaint page, a partner's
dissent without a reason is refused at the field, two partners agree and the opinion is approved.
Drives Debian's chromium."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Complaint, Status
from tests.browser.test_walkthrough import _act, _log_in, _log_out
from tests.committees.test_meetings import firm, major  # noqa: F401 (fixture)
from tests.decisions.test_browser import screen  # noqa: F401 (the fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_director_convenes_and_the_partners_vote(screen, live_server, firm):  # noqa: F811
    from playwright.sync_api import expect

    page, width = screen
    complaint = major(firm)
    url = f"{live_server.url}/complaints/{complaint.number}/"

    _log_in(page, live_server, "gm")
    page.goto(url)
    expect(page.locator("#meeting-none")).to_contain_text("合伙人会议")
    assert page.locator("details.action-approve_resolution").count() == 0  # not one person's to decide
    _act(page, "convene_meeting", {"comment": "讨论退费方案"})
    expect(page.locator("#meeting-1 .votes")).to_contain_text("钱副总")
    expect(page.locator("#meeting-1 .votes")).to_contain_text("孙合伙人")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _log_out(page)

    _log_in(page, live_server, "vp")
    page.goto(url)
    _act(page, "vote_in_meeting", selects={"vote": "disagree"})  # no reason given
    expect(page.locator("details.action-vote_in_meeting .errorlist")).to_be_visible()
    assert not Complaint.objects.get(pk=complaint.pk).meetings.get().votes.exclude(vote="").exists()
    page.goto(url)
    _act(page, "vote_in_meeting", {"comment": "同意"}, {"vote": "agree"})
    expect(page.locator("#meeting-1 .votes")).to_contain_text("同意")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _log_out(page)

    _log_in(page, live_server, "vp2")
    page.goto(url)
    _act(page, "vote_in_meeting", selects={"vote": "agree"})
    expect(page.locator("#meeting-1")).to_contain_text("处理意见通过")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLUTION_APPROVED
    assert page.evaluate("document.documentElement.scrollWidth") <= width

"""Issue 11 §4: confidentiality levels on customer archives, as seed 001 客户管理制度10 四、1 (知晓范围)
states them — 副/总经理 know every level; 绝密 only the people they name; 机密 the supervisor in
charge (the CS director) and whom they name; 秘密 the people concerned (the desk). Generated over
level × role × read path: nobody else reads the archive, and every read of a classified archive
leaves exactly one audit row. Personal data is masked for roles that do not need it, shown on a
logged reveal."""

from __future__ import annotations

import pytest

from kesu.archive import secrecy
from kesu.archive.models import ArchiveChange, ReadAudit

BASE = "/api/v1"
LEVELS = ["", "secret", "confidential", "top_secret"]
PERSONAS = ["clerk", "director", "gm", "vp", "production_handler", "auditor", "admin"]
# Who may know each level, written out from the seed (not computed from the code's table).
MAY_KNOW = {
    "": set(PERSONAS),
    "secret": {"clerk", "director", "gm", "vp"},
    "confidential": {"director", "gm", "vp"},
    "top_secret": {"gm", "vp"},
}
PATHS = ["page", "api_detail", "api_timeline", "api_lookup", "web_lookup", "list"]


def _classified(org, dealer, level: str):
    if level:
        secrecy.set_level(archive=dealer, by=org.gm, level=level, reason="客户要求保密")
    return dealer


def _read(path: str, who, dealer, as_user, api) -> bool:
    """Whether ``who`` read the archive by ``path`` (found it, or saw its page)."""
    number = dealer.number
    if path == "page":
        return as_user(who).get(f"/customers/{number}/").status_code == 200
    if path == "api_detail":
        return api(who).get(f"{BASE}/customers/{number}").status_code == 200
    if path == "api_timeline":
        return api(who).get(f"{BASE}/customers/{number}/timeline").status_code == 200
    if path == "api_lookup":
        return number in api(who).get(f"{BASE}/customers", {"q": "锦程"}).content.decode()
    if path == "web_lookup":
        return number in as_user(who).get("/customers/lookup/", {"customer_q": "锦程"}).content.decode()
    return number in as_user(who).get("/customers/", {"q": "62345678"}).content.decode()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("level", LEVELS)
def test_only_who_may_know_reads_and_every_classified_read_is_audited(
    org, dealer, as_user, api, level, persona, path
):
    _classified(org, dealer, level)
    who = getattr(org, persona)
    before = ReadAudit.objects.count()
    read = _read(path, who, dealer, as_user, api)
    assert read == (persona in MAY_KNOW[level]), f"{persona} {path} {level or 'open'}"
    audited = ReadAudit.objects.filter(staff=who, archive=dealer).exclude(kind="reveal").count()
    assert ReadAudit.objects.count() - before == audited
    assert audited == (1 if read and level else 0)


@pytest.mark.parametrize("level", ["secret", "confidential", "top_secret"])
def test_a_named_person_may_know_and_is_audited(org, dealer, as_user, level):
    _classified(org, dealer, level)
    assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 404
    secrecy.grant(archive=dealer, by=org.vp, staff=org.production_handler)
    assert as_user(org.production_handler).get(f"/customers/{dealer.number}/").status_code == 200
    row = ReadAudit.objects.get(staff=org.production_handler)
    assert (row.kind, row.level, row.address) == ("page", level, "127.0.0.1")


def test_who_may_classify_and_name(org, dealer, api):
    assert (
        api(org.clerk)
        .post(f"{BASE}/customers/{dealer.number}/confidentiality", {"level": "secret", "reason": "x"})
        .status_code
        == 403
    )
    assert (
        api(org.director)
        .post(f"{BASE}/customers/{dealer.number}/confidentiality", {"level": "top_secret", "reason": "x"})
        .status_code
        == 403
    )
    response = api(org.director).post(
        f"{BASE}/customers/{dealer.number}/confidentiality", {"level": "confidential", "reason": "合同谈判中"}
    )
    assert response.status_code == 200 and response.json()["confidentiality"] == "confidential"
    assert ArchiveChange.objects.get(field="confidentiality").reason == "合同谈判中"
    # the desk may no longer even see it, let alone name someone
    assert (
        api(org.clerk)
        .post(f"{BASE}/customers/{dealer.number}/grants", {"username": "prodhandler"})
        .status_code
        == 404
    )
    assert (
        api(org.director).post(f"{BASE}/customers/{dealer.number}/grants", {"username": "nobody"}).status_code
        == 422
    )
    assert (
        api(org.director)
        .post(f"{BASE}/customers/{dealer.number}/grants", {"username": "prodhandler"})
        .status_code
        == 200
    )
    assert api(org.production_handler).get(f"{BASE}/customers/{dealer.number}").status_code == 200


def test_personal_data_is_masked_for_a_department_and_a_reveal_is_logged(org, dealer, as_user, api):
    body = api(org.production_handler).get(f"{BASE}/customers/{dealer.number}").json()
    assert body["masked"] and body["phone"] != "021-6234 5678" and body["phone"].endswith("5678")
    assert ReadAudit.objects.count() == 0  # an open archive: reading it is not audited
    revealed = api(org.production_handler).get(f"{BASE}/customers/{dealer.number}", {"reveal": "true"}).json()
    assert revealed["phone"] == "021-6234 5678" and not revealed["masked"]
    assert ReadAudit.objects.get().kind == "reveal"
    page = as_user(org.production_handler).get(f"/customers/{dealer.number}/").content.decode()
    assert "021-6234 5678" not in page and 'id="reveal-form"' in page
    page = as_user(org.production_handler).post(f"/customers/{dealer.number}/reveal/").content.decode()
    assert "021-6234 5678" in page and ReadAudit.objects.filter(kind="reveal").count() == 2
    desk = api(org.clerk).get(f"{BASE}/customers/{dealer.number}").json()
    assert desk["phone"] == "021-6234 5678" and not desk["masked"]


def test_the_audit_is_append_only(org, dealer, as_user):
    from django.db import IntegrityError, transaction

    _classified(org, dealer, "secret")
    as_user(org.clerk).get(f"/customers/{dealer.number}/")
    row = ReadAudit.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadAudit.objects.filter(pk=row.pk).update(kind="page", address="10.0.0.1")

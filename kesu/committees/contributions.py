"""What the committees app contributes to a complaint through kesu.complaints.registry: its
timeline entries, its panel on the complaint page; and its preset section."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Complaint


def committee_panel(complaint: Complaint) -> dict[str, Any]:
    """The committee (members and their agreement, the evidence memo), or the rule that would
    convene one. One query when none is convened — the rule book's few committee rules, each
    marked whether it sits on this complaint; read here rather than kept per process, so that the
    page costs the same on its first request as on later ones — and three more when one is (the
    committee, its members, its photos)."""
    from django.db.models import Exists, OuterRef

    from kesu.committees.models import Committee, CommitteeRule
    from kesu.committees.selectors import committee_of
    from kesu.committees.services import rule_for

    sits = Committee.objects.filter(complaint=complaint, rule=OuterRef("pk"))
    rules = list(CommitteeRule.objects.annotate(sits=Exists(sits)).order_by("pk"))
    if any(rule.sits for rule in rules):
        committee = committee_of(complaint=complaint)
        return {"committee": committee, "committee_rule": committee.rule if committee else None}
    active = [rule for rule in rules if rule.is_active]
    return {"committee": None, "committee_rule": rule_for(complaint, active) if complaint.is_open else None}


def contribute() -> None:
    from kesu.committees.models import CommitteeRule, CommitteeSeat
    from kesu.committees.presets import load_committees
    from kesu.committees.selectors import complaints_visible_to_members
    from kesu.complaints import registry
    from kesu.complaints.registry import DataKey, Panel
    from kesu.rulebook import cache, sections

    cache.watch(CommitteeRule, CommitteeSeat)

    # After the classes (complaints) and the decision lists (50): a rule names a class.
    sections.register("committees", order=60, load=load_committees)
    registry.register_visibility(complaints_visible_to_members)
    registry.register_panel("complaint", Panel("committees/_committee.html", committee_panel, order=21))
    for kind, label in {
        "committee_convened": _("Committee convened"),
        "evidence_memo_recorded": _("On-site evidence memo recorded"),
        "committee_determined": _("Committee's determination recorded"),
        "committee_member_agreed": _("Committee member agrees"),
        "committee_member_disagreed": _("Committee member disagrees"),
        "committee_agreed": _("Every committee member agreed: memo complete"),
    }.items():
        registry.register_event(kind, label)
    registry.register_data("committee", DataKey(_("committee")), event="committee_convened")
    registry.register_data("members", DataKey(_("members")), event="committee_convened")
    registry.register_data("photos", DataKey(_("photos")), event="evidence_memo_recorded")
    registry.register_data(
        "customer_statement", DataKey(_("the customer's statement")), event="evidence_memo_recorded"
    )
    for event in ("committee_member_agreed", "committee_member_disagreed"):
        registry.register_data("seat", DataKey(_("seat")), event=event)
    for event in (
        "committee_determined",
        "committee_member_agreed",
        "committee_member_disagreed",
        "committee_agreed",
    ):
        registry.register_data("decision_version", DataKey(_("decision version")), event=event)

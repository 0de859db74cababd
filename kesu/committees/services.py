"""Writes about the quality complaint committee (seed 000 第一篇 4.2.3.3 2)): convene it with its
named members, record the salesperson's on-site evidence memo, record the committee's
determination (a draft of the handling decision) and each member's agreement. Keyword-only,
validated before saving, one transaction each with the complaint row locked first and a timeline
entry in the same transaction.

The flow, clause by clause: ② the production manager (the convenor) receives the quality complaint
and has the related sales manager collect the facts on site; ③ the sales manager records them in
《客户产品质量投诉处理备忘单》 (facts, photos, the customer's statement); ④ the convenor calls the
committee and it agrees on the responsibility (the ratio that splits the repair-cost budget
between factory and customer), the repair-cost budget and the repair/delivery memo — Kesu keeps
them as a draft decision version (kesu.decisions) and records each member's agreement; when the
last member agrees the memo is complete (⑦, the memo clock is met: ``committee_agreed``) and, as 4)
submits the opinion for approval (提交审批), the draft goes to the approval by amount at once. A
member who disagrees leaves the determination open: the convenor records a new one (⑥ 反馈委员会
再行讨论, 直至达成共识), and every member answers again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.committees.errors import CommitteeConflict, MayNotAct
from kesu.committees.models import (
    Agreement,
    Committee,
    CommitteeMember,
    CommitteeRule,
    CommitteeSeat,
    CommitteeStatus,
    SeatScope,
)
from kesu.complaints.models import Attachment, Category, Complaint
from kesu.complaints.services import append_event
from kesu.core import limits
from kesu.decisions import services as decisions
from kesu.decisions.models import VersionStatus
from kesu.organization.models import Staff
from kesu.organization.selectors import Capacity, capacities_of
from kesu.rulebook.cache import cached

MAX_PHOTOS = 50


def _chain(category: Category | None) -> list[Category]:
    chain: list[Category] = []
    while category is not None and category not in chain:
        chain.append(category)
        category = category.parent
    return chain


def active_rules() -> list[CommitteeRule]:
    """The rule book's active committee rules, read once per process (kesu.rulebook.cache)."""
    return cached(
        "committees.rules",
        lambda: list(CommitteeRule.objects.filter(is_active=True).select_related("category").order_by("pk")),
    )


def rule_for(complaint: Complaint, rules: list[CommitteeRule] | None = None) -> CommitteeRule | None:
    """The active committee rule deciding by agreement of the complaint's class (its own, else the nearest ancestor's,
    else one for every class), or None: the class has no committee. ``rules``: the active rules
    when the caller read them (default: the rule book's, kept per process)."""
    rules = [r for r in (active_rules() if rules is None else rules) if not r.votes]
    if not rules:
        return None
    chain = _chain(complaint.category)
    for specific in [*(c.pk for c in chain), None]:
        for rule in rules:
            if rule.category_id == specific:
                return rule
    return None


def _in_scope(staff: Staff, scope: str, department_code: str, complaint: Complaint) -> bool:
    if scope == SeatScope.RESPONSIBLE_DEPARTMENT:
        return (
            complaint.handling_department_id is not None
            and staff.department_id == complaint.handling_department_id
        )
    if scope == SeatScope.DEPARTMENT:
        return staff.department.code == department_code
    return True


def fits_seat(seat: CommitteeSeat, staff: Staff, complaint: Complaint) -> bool:
    return (not seat.role or seat.role in staff.roles) and _in_scope(
        staff, seat.scope, seat.department_code, complaint
    )


def _accused(complaint: Complaint) -> set[int]:
    return set(complaint.accused_staff.values_list("pk", flat=True))


def convening_capacity(rule: CommitteeRule, complaint: Complaint, staff: Staff) -> Capacity | None:
    """The capacity in which ``staff`` may convene: the rule's convenor, or their deputy while
    absent; never someone complained about (回避), nor anyone for them."""
    accused = _accused(complaint)
    if staff.pk in accused:
        return None
    for capacity in capacities_of(staff=staff):
        principal = capacity.principal
        if principal.pk in accused or rule.convenor_role not in principal.roles:
            continue
        if _in_scope(principal, rule.convenor_scope, rule.convenor_department, complaint):
            return capacity
    return None


def member_capacity(member: CommitteeMember, staff: Staff) -> Capacity | None:
    """The member, or their deputy while they are absent."""
    for capacity in capacities_of(staff=staff):
        if capacity.principal.pk == member.staff_id:
            return capacity
    return None


def _locked(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("category", "handling_department")
        .get(pk=complaint.pk)
    )


def _locked_committee(committee: Committee) -> tuple[Complaint, Committee]:
    complaint = _locked(committee.complaint)
    committee = (
        Committee.objects.select_for_update(of=("self",))
        .select_related("rule", "determination")
        .get(pk=committee.pk)
    )
    committee.complaint = complaint
    return complaint, committee


def _members(committee: Committee) -> list[CommitteeMember]:
    return list(committee.members.select_related("staff").order_by("position"))


def convene_committee(*, complaint: Complaint, by: Staff, members: dict[str, str]) -> Committee:
    """Convene the committee of the complaint's class with a named member for every seat:
    ``members`` maps each seat's position (as text, e.g. ``"1"``) to a username. Each member
    must fit the seat (role, department), nobody twice, nobody complained about (回避)."""
    with transaction.atomic():
        locked = _locked(complaint)
        if not locked.is_open:
            raise ValidationError({"complaint": [_("The complaint is no longer open.")]})
        rule = rule_for(locked)
        if rule is None:
            raise CommitteeConflict(_("The rule book has no committee for this complaint's class."))
        capacity = convening_capacity(rule, locked, by)
        if capacity is None:
            raise MayNotAct(
                _("Only the committee's convenor (%(role)s) may convene it.")
                % {"role": rule.get_convenor_role_display()}
            )
        if Committee.objects.filter(complaint=locked).exists():
            raise CommitteeConflict(_("The committee is already convened for this complaint."))
        seats = list(rule.seats.order_by("position", "pk"))
        if not seats:
            raise CommitteeConflict(_("The committee rule names no seat: see the rule book."))
        errors: dict[str, list[str]] = {}
        if not isinstance(members, dict):
            raise ValidationError({"members": [_("Name a member for every seat.")]})
        usernames = [u for u in members.values() if isinstance(u, str)]
        people = {
            s.user.get_username(): s
            for s in Staff.objects.select_related("user", "department")
            .prefetch_related("role_assignments")
            .filter(user__username__in=usernames)
        }
        accused = _accused(locked)
        chosen: list[tuple[CommitteeSeat, Staff]] = []
        seen: set[int] = set()
        for seat in seats:
            key = f"members.{seat.position}"
            username = members.get(str(seat.position))
            person = people.get(username) if isinstance(username, str) else None
            if not username:
                errors[key] = [_("Name the member for the seat “%(seat)s”.") % {"seat": seat.label}]
            elif person is None or not person.user.is_active:
                errors[key] = [_("Give an existing staff username.")]
            elif person.pk in accused:
                errors[key] = [_("%(name)s is complained about and must recuse (回避).") % {"name": person}]
            elif not fits_seat(seat, person, locked):
                errors[key] = [
                    _("%(name)s does not fit the seat “%(seat)s”.") % {"name": person, "seat": seat.label}
                ]
            elif person.pk in seen:
                errors[key] = [_("One person, one seat.")]
            else:
                seen.add(person.pk)
                chosen.append((seat, person))
        unknown = set(members) - {str(seat.position) for seat in seats}
        if unknown:
            errors["members"] = [
                _("Unknown seats: %(seats)s.") % {"seats": ", ".join(sorted(map(str, unknown)))}
            ]
        if errors:
            raise ValidationError(errors)
        committee = Committee.objects.create(complaint=locked, rule=rule, convened_by=by)
        CommitteeMember.objects.bulk_create(
            [
                CommitteeMember(
                    committee=committee,
                    seat=seat,
                    position=seat.position,
                    label=seat.label,
                    collects_evidence=seat.collects_evidence,
                    staff=person,
                )
                for seat, person in chosen
            ]
        )
        append_event(
            complaint=locked,
            capacity=capacity,
            action="committee_convened",
            data={"committee": rule.name, "members": [f"{seat.label}：{person}" for seat, person in chosen]},
        )
    return committee


def _text(errors: dict[str, list[str]], name: str, value: object, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors[name] = [_("This field is required.")]
    else:
        try:
            limits.check_text(text, max_length=limits.HANDLING_TEXT)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    return text


@dataclass(frozen=True)
class EvidenceIn:
    """《客户产品质量投诉处理备忘单》: what was found on site, the customer's statement, and the
    photos among the complaint's attachments (their ids)."""

    facts: str
    customer_statement: str = ""
    photos: tuple[int, ...] = ()


def record_evidence(*, committee: Committee, by: Staff, evidence: EvidenceIn) -> Committee:
    """The member who collects the evidence (the related sales manager, ③) records the memo —
    objectively, truthfully, completely (客观、真实、全面). Again before the determination to
    correct it; the timeline keeps each."""
    errors: dict[str, list[str]] = {}
    facts = _text(errors, "facts", evidence.facts, required=True)
    statement = _text(errors, "customer_statement", evidence.customer_statement, required=False)
    photo_ids = list(evidence.photos)
    if len(photo_ids) > MAX_PHOTOS or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in photo_ids
    ):
        errors["photos"] = [_("Give at most %(max)d attachment ids.") % {"max": MAX_PHOTOS}]
        photo_ids = []
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint, committee = _locked_committee(committee)
        members = _members(committee)
        capacity = next(
            (c for m in members if m.collects_evidence and (c := member_capacity(m, by)) is not None), None
        )
        if capacity is None:
            raise MayNotAct(_("Only the member who collects the on-site evidence records the memo."))
        if committee.status != CommitteeStatus.CONVENED:
            raise CommitteeConflict(_("The committee has determined: the evidence memo is closed."))
        photos = list(Attachment.objects.filter(complaint=complaint, pk__in=photo_ids))
        if len(photos) != len(set(photo_ids)):
            raise ValidationError(
                {"photos": [_("Only this complaint's attachments can be the memo's photos.")]}
            )
        committee.facts, committee.customer_statement = facts, statement
        committee.evidence_by, committee.evidence_at = by, timezone.now()
        committee.save(update_fields=["facts", "customer_statement", "evidence_by", "evidence_at"])
        committee.photos.set(photos)
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="evidence_memo_recorded",
            comment=facts,
            data={"photos": [p.original_name for p in photos], "customer_statement": statement},
        )
    return committee


def record_determination(
    *,
    committee: Committee,
    by: Staff,
    cause: str,
    shares: list[decisions.ShareIn],
    remedies: list[decisions.RemedyIn],
    money: decisions.MoneyIn,
    delivery_memo: str,
) -> Committee:
    """The convenor records what the committee determined (④): cause, the responsibility ratio,
    the repair-cost budget and the remedies as a draft decision version (checked as every
    proposal is), and the repair/delivery memo. Every member answers it anew."""
    errors: dict[str, list[str]] = {}
    memo = _text(errors, "delivery_memo", delivery_memo, required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint, committee = _locked_committee(committee)
        capacity = convening_capacity(committee.rule, complaint, by)
        if capacity is None:
            raise MayNotAct(_("Only the committee's convenor records its determination."))
        if committee.status == CommitteeStatus.AGREED:
            raise CommitteeConflict(_("Every member agreed: the determination went to approval."))
        if not committee.evidence_at:
            raise CommitteeConflict(_("The on-site evidence memo is not recorded yet."))
        version = decisions.propose_decision(
            complaint=complaint,
            by=by,
            cause=cause,
            shares=shares,
            remedies=remedies,
            money=money,
            note=memo,
            draft=True,
        )
        committee.determination, committee.delivery_memo = version, memo
        committee.status, committee.determined_at = CommitteeStatus.DETERMINED, timezone.now()
        committee.save(update_fields=["determination", "delivery_memo", "status", "determined_at"])
        committee.members.update(agreement=Agreement.PENDING, comment="", answered_at=None)
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="committee_determined",
            comment=memo,
            data={"decision_version": version.number},
        )
    return committee


def record_agreement(*, committee: Committee, by: Staff, agree: bool, comment: str = "") -> CommitteeMember:
    """A member agrees to the determination or not (a disagreement says why). The last agreement
    completes the memo (``committee_agreed``) and sends the draft to approval (4) 提交审批)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(agree, bool):
        errors["agree"] = [_("Say whether you agree (true or false).")]
    comment = _text(errors, "comment", comment, required=agree is False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint, committee = _locked_committee(committee)
        members = _members(committee)
        mine = [(m, c) for m in members if (c := member_capacity(m, by)) is not None]
        if not mine:
            raise MayNotAct(_("Only the committee's members record their agreement."))
        if committee.status != CommitteeStatus.DETERMINED:
            raise CommitteeConflict(_("There is no determination waiting for the members' agreement."))
        member, capacity = next(((m, c) for m, c in mine if m.agreement == Agreement.PENDING), mine[0])
        if member.agreement != Agreement.PENDING:
            raise CommitteeConflict(_("Your answer to this determination is already recorded."))
        member.agreement = Agreement.AGREED if agree else Agreement.DISAGREED
        member.comment, member.answered_at = comment, timezone.now()
        member.save(update_fields=["agreement", "comment", "answered_at"])
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="committee_member_agreed" if agree else "committee_member_disagreed",
            comment=comment,
            data={"seat": member.label, "decision_version": committee.determination.number},
        )
        if all(m.agreement == Agreement.AGREED for m in members):
            committee.status, committee.agreed_at = CommitteeStatus.AGREED, timezone.now()
            committee.save(update_fields=["status", "agreed_at"])
            append_event(
                complaint=complaint,
                capacity=capacity,
                action="committee_agreed",
                data={"decision_version": committee.determination.number},
            )
            version = committee.determination
            if version.status == VersionStatus.DRAFT:
                decisions.submit_draft(version=version, by=version.proposed_by, capacity=capacity)
    return member

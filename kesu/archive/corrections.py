"""Correcting wrong customer data (客户信息错误怎么管理), seed 001 客户管理制度4 例:

    客服部人员制订补救处理方案 → 客服部经理审核 → 总经理审批 → 转回客服部组织执行 (其他部门执行后反馈)
    → 客服部写报告 → 客服经理审核 → 总经理审批 → 存档

A correction is drafted by the customer-service desk with its remedy plan and the changes it
proposes (checked at once, as the archive's own correction checks them); the CS manager
(``AccessRules.correction_reviewer``) reviews and the general manager
(``AccessRules.correction_approver``) approves; the desk executes it — only then are the changes
written to the archive, each with its old and new value in the archive's history — with the
other departments' feedback; the desk writes the report, which the CS manager reviews and the
general manager approves, and the correction is archived. A reviewer or approver may refuse, with
a reason; a refused correction changes nothing. Every step is a ``CorrectionStep`` row and a line
of the archive's history, written in the step's transaction.

The desk's direct correction (``services.correct``) stays for keeping the archive current (seed
001 #4 四、3: 定期更新、修改); this procedure is for data found wrong.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kesu.archive import secrecy, services
from kesu.archive.access import WrongState
from kesu.archive.access_models import AccessRules, CorrectionRequest, CorrectionStatus, CorrectionStep
from kesu.archive.models import ArchiveChange, CustomerArchive
from kesu.core import limits
from kesu.organization.models import Role, Staff

S = CorrectionStatus
# status → (the step's action name, the status it moves to, the rule that says who acts)
STEPS: dict[str, tuple[str, str, str]] = {
    S.REVIEW: ("review", S.APPROVAL, "correction_reviewer"),
    S.APPROVAL: ("approve", S.EXECUTION, "correction_approver"),
    S.EXECUTION: ("execute", S.REPORT, "keeper"),
    S.REPORT: ("report", S.REPORT_REVIEW, "keeper"),
    S.REPORT_REVIEW: ("review_report", S.REPORT_APPROVAL, "correction_reviewer"),
    S.REPORT_APPROVAL: ("approve_report", S.ARCHIVED, "correction_approver"),
}
DECISIONS = {S.REVIEW, S.APPROVAL, S.REPORT_REVIEW, S.REPORT_APPROVAL}  # may be refused


def actor_role(status: str, rules: AccessRules | None = None) -> str | None:
    step = STEPS.get(status)
    if step is None:
        return None
    if step[2] == "keeper":
        return "keeper"
    return str(getattr(rules or AccessRules.current(), step[2]))


def may_act(staff: Staff | None, correction: CorrectionRequest, rules: AccessRules | None = None) -> bool:
    role = actor_role(correction.status, rules)
    if staff is None or role is None:
        return False
    mine = secrecy.roles(staff)
    if role == "keeper":
        return bool(mine & services.KEEPERS)
    return role in mine


def _record(correction: CorrectionRequest, *, action: str, by: Staff, note: str) -> None:
    CorrectionStep.objects.create(correction=correction, action=action, by=by, note=note)
    ArchiveChange.objects.create(
        archive=correction.archive,
        field="correction",
        old=None,
        new={"correction": correction.pk, "action": action, "status": correction.status},
        by=by,
        reason=note or correction.get_status_display(),
    )


@transaction.atomic
def draft(*, archive: CustomerArchive, by: Staff | None, changes: Any, plan: Any) -> CorrectionRequest:
    """The desk drafts the remedy plan (补救处理方案) with the changes it proposes."""
    staff = services._require_keeper(by)
    errors: dict[str, list[str]] = {}
    text = ""
    try:
        text = services.clean_text("plan", plan, required=True, max_length=limits.HANDLING_TEXT)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    own: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    try:
        own, profile = services.parse_changes(archive, changes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    proposed = {**own, **{f"profile.{code}": value for code, value in profile.items()}}
    correction = CorrectionRequest.objects.create(
        archive=archive, status=S.REVIEW, changes=proposed, plan=text, drafted_by=staff
    )
    _record(correction, action="draft", by=staff, note=text)
    return correction


@transaction.atomic
def advance(
    *, correction: CorrectionRequest, by: Staff | None, approve: bool = True, note: Any = ""
) -> CorrectionRequest:
    """Take the correction's next step: review or approve (``approve`` False refuses, with a note),
    execute (writes the changes, ``note`` the departments' feedback), or report (``note`` the
    report)."""
    correction = CorrectionRequest.objects.select_for_update().select_related("archive").get(pk=correction.pk)
    step = STEPS.get(correction.status)
    if step is None:
        raise WrongState(
            _("This correction is %(status)s: nothing to do.") % {"status": correction.get_status_display()}
        )
    rules = AccessRules.current()
    if not may_act(by, correction, rules):
        role = actor_role(correction.status, rules)
        who = _("the customer-service desk") if role == "keeper" else Role(role).label
        raise secrecy.NotAllowed(_("Only %(role)s takes this step.") % {"role": who})
    assert by is not None
    action, target, _rule = step
    if not approve and correction.status not in DECISIONS:
        raise ValidationError({"approve": [_("This step cannot be refused.")]})
    required = (not approve) or correction.status == S.REPORT
    text = services.clean_text("note", note, required=required, max_length=limits.HANDLING_TEXT)
    if not approve:
        correction.status = S.REFUSED
        correction.save(update_fields=["status"])
        _record(correction, action="refuse", by=by, note=text)
        return correction
    if correction.status == S.EXECUTION:
        archive = (
            CustomerArchive.objects.select_for_update()
            .select_related("customer")
            .get(pk=correction.archive_id)
        )
        # Checked again: the rule book's fields may have changed since the draft.
        own, profile = services.parse_changes(archive, correction.changes)
        reason = _("Correction #%(n)d: %(plan)s") % {"n": correction.pk, "plan": correction.plan}
        services.apply_changes(
            archive, own=own, profile=profile, by=by, reason=reason[: limits.HANDLING_TEXT]
        )
        correction.feedback = text
    if correction.status == S.REPORT:
        correction.report = text
    correction.status = target
    correction.save()
    _record(correction, action=action, by=by, note=text)
    return correction


def of_archive(archive: CustomerArchive) -> list[CorrectionRequest]:
    return list(
        CorrectionRequest.objects.filter(archive=archive)
        .select_related("drafted_by")
        .prefetch_related("steps__by")[:50]
    )


def waiting_for(staff: Staff) -> list[CorrectionRequest]:
    rules = AccessRules.current()
    rows = CorrectionRequest.objects.filter(status__in=list(STEPS)).select_related(
        "archive", "archive__customer", "drafted_by"
    )[:200]
    return [c for c in rows if may_act(staff, c, rules)]

"""The forms themselves: which lines each prints, in the order of the paper form."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint, TransferSlip
from kesu.complaints.templatetags.kesu_ui import localized
from kesu.paperwork.render import FormPDF, signed
from kesu.paperwork.selectors import InquirySlip, QualityMemo, RegistrationForm, ReminderSlip, Signature


def _intake(pdf: FormPDF, c: Complaint, registered: Signature | None) -> None:
    """The "投诉承接" box (seed 000 4.2.2.2 3: the header's facts, the event told objectively)."""
    pdf.facts(
        [
            (_("received at"), c.received_at, _("channel"), c.get_channel_display()),
            (_("complainant"), c.complainant_name, _("phone"), c.complainant_phone),
            (_("address"), c.complainant_address),
            (
                _("customer"),
                f"{c.customer.name} ({c.customer.code})" if c.customer else "",
                _("product"),
                c.product,
            ),
            (_("product model"), c.product_model, _("batch"), c.batch_number),
            (_("order number"), c.order_number, _("shipped on"), c.shipped_on),
            (_("arrived on"), c.arrived_on, _("quantity"), c.quantity),
            (_("defective quantity"), c.defective_quantity, _("status"), c.get_status_display()),
            (_("description"), c.description),
            (_("remedy requested"), c.requested_remedy),
            (
                _("class"),
                localized(c.category) if c.category else "",
                _("severity"),
                localized(c.severity),
            ),
            (_("registered by"), signed(registered) or c.registered_by.display_name),
        ]
    )


def registration_pdf(form: RegistrationForm, *, printed_by: str) -> bytes:
    """《客户投诉登记及跟踪处理记录表单》 (seed 000 第一篇 4.2.2–4.2.3): intake, transfers,
    the handling opinion and its approval, the reply and follow-up, and the closing."""
    c, s = form.complaint, form.signatures
    pdf = FormPDF(
        title=_("Complaint registration and tracking form"),
        company=form.company,
        number=c.number,
        printed_by=printed_by,
    )
    pdf.section(_("Intake (投诉承接)"))
    _intake(pdf, c, s.get("registered"))
    if "answer_on_spot" in s:
        pdf.facts([(_("answered on the spot"), form.comments.get("answer_on_spot"))])

    pdf.section(_("Transfer (转交处理)"))
    if form.slips:
        pdf.grid(
            [_("to department"), _("reason"), _("handed over by"), _("approved by"), _("received by")],
            [
                (
                    slip.to_department.name + (f" / {slip.to_position.name}" if slip.to_position else ""),
                    slip.reason,
                    signed(Signature.of(slip.proposed_by, slip.proposed_at)),
                    signed(Signature.of(slip.approved_by, slip.approved_at)),
                    signed(Signature.of(slip.received_by, slip.received_at)),
                )
                for slip in form.slips
            ],
            (30, 42, 36, 36, 36),
        )
    else:
        pdf.facts([(_("to department"), "")])

    pdf.section(_("Investigation and handling opinion (投诉调查处理意见)"))
    pdf.facts(
        [
            (
                _("handling department"),
                c.handling_department.name if c.handling_department else "",
                _("handler"),
                c.handler.display_name if c.handler else "",
            ),
            (_("resolution"), c.resolution),
            (_("proposed by"), signed(s.get("propose_resolution"))),
        ]
    )

    pdf.section(_("Reply, follow-up and closing (答复、回访与结案)"))
    pdf.facts(
        [
            (_("reply to customer"), c.reply),
            (_("replied by"), signed(s.get("reply_to_customer"))),
            (_("follow-up visit"), form.comments.get("record_follow_up", "")),
            (
                _("visited by"),
                signed(s.get("record_follow_up")),
                _("satisfaction"),
                c.get_satisfaction_display(),
            ),
            (_("closed at"), c.closed_at, _("status"), c.get_status_display()),
        ]
    )
    closing = s.get("close") or s.get("answer_on_spot") or s.get("mark_not_upheld") or s.get("withdraw")
    pdf.signatures(
        [
            (_("Registered by (登记)"), s.get("registered")),
            (_("Transfer approved by (审批)"), s.get("approve_transfer")),
            (_("Signed for by (签收)"), s.get("accept_transfer")),
            (_("Opinion approved by (审批)"), s.get("approve_resolution")),
            (_("Closed by (结案)"), closing),
        ]
    )
    return pdf.pdf_bytes()


def transfer_slip_pdf(slip: TransferSlip, *, ordinal: int, company: str, printed_by: str) -> bytes:
    """《客户投诉转交处理联系单》 (seed 000 4.2.2.2 5–6): the desk names the department and position
    and signs, the GM approves, the receiver signs for it; the desk archives the slip."""
    c = slip.complaint
    pdf = FormPDF(
        title=_("Complaint transfer slip"),
        company=company,
        number=f"{c.number}-{ordinal}",
        printed_by=printed_by,
    )
    pdf.section(_("Complaint"))
    pdf.facts(
        [
            (_("complaint number"), c.number, _("received at"), c.received_at),
            (_("complainant"), c.complainant_name, _("phone"), c.complainant_phone),
            (_("customer"), c.customer.name if c.customer else ""),
            (
                _("class"),
                localized(c.category) if c.category else "",
                _("severity"),
                localized(c.severity),
            ),
            (_("description"), c.description),
            (_("remedy requested"), c.requested_remedy),
        ]
    )
    pdf.section(_("Transfer"))
    pdf.facts(
        [
            (
                _("to department"),
                slip.to_department.name,
                _("to position"),
                slip.to_position.name if slip.to_position else "",
            ),
            (_("reason"), slip.reason),
            (_("state"), slip.get_state_display()),
        ]
    )
    pdf.signatures(
        [
            (_("Handed over by (转交人)"), Signature.of(slip.proposed_by, slip.proposed_at)),
            (_("Approved by (总经理审批)"), Signature.of(slip.approved_by, slip.approved_at)),
            (_("Received by (接收人)"), Signature.of(slip.received_by, slip.received_at)),
        ]
    )
    pdf.note(
        _("Both sides sign; the customer-service director keeps the slip on file (seed 000, 4.2.2.2 6).")
    )
    return pdf.pdf_bytes()


def _clock_facts(pdf: FormPDF, c: Complaint) -> None:
    pdf.facts(
        [
            (_("complaint number"), c.number, _("received at"), c.received_at),
            (_("complainant"), c.complainant_name, _("customer"), c.customer.name if c.customer else ""),
            (
                _("handling department"),
                c.handling_department.name if c.handling_department else "",
                _("handler"),
                c.handler.display_name if c.handler else "",
            ),
            (_("description"), c.description),
        ]
    )


def reminder_pdf(slip: ReminderSlip, *, printed_by: str) -> bytes:
    """催办单 (seed 002 总经理室: 对于逾期案件应开立“催办单”催促有关部门处理)."""
    c = slip.complaint
    pdf = FormPDF(
        title=_("Reminder slip (催办单)"), company=slip.company, number=c.number, printed_by=printed_by
    )
    pdf.section(_("Complaint"))
    _clock_facts(pdf, c)
    pdf.section(_("Time limits run out"))
    pdf.grid(
        [_("time limit"), _("counted from"), _("due at"), _("overdue by")],
        [
            (clock.kind_label, clock.started_at, clock.due_at, _hours(clock.overdue_by))
            for clock in slip.clocks
        ],
        (45, 45, 45, 45),
    )
    if slip.sent:
        pdf.section(_("Reminders and escalations sent"))
        pdf.grid(
            [_("sent at"), _("to"), _("text")],
            [(event.at, "、".join(event.data.get("to", [])), event.comment) for event in slip.sent],
            (35, 45, 100),
        )
    pdf.signatures(
        [
            (_("Issued by (开单)"), Signature(name=printed_by, at=None)),
            (_("Received by the department (签收)"), None),
            (_("Expected completion (预计完成)"), None),
        ]
    )
    return pdf.pdf_bytes()


def inquiry_pdf(slip: InquirySlip, *, printed_by: str) -> bytes:
    """洽办单 (seed 002 总经理室: 对于处理时效逾期案件，得开立“洽办单”送有关部门追查逾期原因)."""
    c = slip.complaint
    pdf = FormPDF(
        title=_("Inquiry slip (洽办单)"), company=slip.company, number=c.number, printed_by=printed_by
    )
    pdf.section(_("Complaint"))
    _clock_facts(pdf, c)
    pdf.facts([(_("closed by"), signed(slip.closed))])
    pdf.section(_("Time limits met late"))
    pdf.grid(
        [_("time limit"), _("due at"), _("met at"), _("late reason (洽办)")],
        [(clock.kind_label, clock.due_at, clock.stopped_at, clock.late_reason) for clock in slip.clocks],
        (35, 35, 35, 75),
    )
    pdf.signatures(
        [
            (_("Issued by (开单)"), Signature(name=printed_by, at=None)),
            (_("Department's answer (责任部门答复)"), None),
            (_("Checked by (查核)"), None),
        ]
    )
    return pdf.pdf_bytes()


def _hours(delta) -> str:
    if delta is None:
        return ""
    hours = delta.total_seconds() / 3600
    return _("%(hours).1f hours") % {"hours": hours}


def quality_memo_pdf(memo: QualityMemo, *, printed_by: str) -> bytes:
    """《客户产品质量投诉处理备忘单》 (seed 000 第一篇 4.2.3.3 2)③–⑦): the facts collected on site,
    the responsibility determination with its ratio (责任认定比例, which splits the repair-cost
    budget 返修费用预算 between factory and customer), the remedy (返修交货备忘), and the
    signatures: who proposed it, who approved it, and the customer's countersignature (会签)."""
    c, d = memo.complaint, memo.decision
    version = d["current"]
    pdf = FormPDF(
        title=_("Product quality complaint memo"),
        company=memo.company,
        number=f"{c.number}-v{version.number}",
        printed_by=printed_by,
    )
    pdf.section(_("Facts collected on site (现场资料)"))
    pdf.facts(
        [
            (_("complaint number"), c.number, _("received at"), c.received_at),
            (
                _("customer"),
                f"{c.customer.name} ({c.customer.code})" if c.customer else "",
                _("complainant"),
                c.complainant_name,
            ),
            (_("product"), c.product, _("product model"), c.product_model),
            (_("batch"), c.batch_number, _("order number"), c.order_number),
            (_("quantity"), c.quantity, _("defective quantity"), c.defective_quantity),
            (_("description"), c.description),
            (
                _("attachments"),
                "、".join(a.original_name for a in memo.attachments),
            ),
        ]
    )
    pdf.section(_("Responsibility determination (责任认定)"))
    pdf.facts(
        [
            (_("cause"), version.cause.name, _("status"), version.get_status_display()),
        ]
    )
    shares = list(version.shares.all())
    pdf.grid(
        [_("responsible party"), _("share (%)")],
        [(share.label, f"{share.share}") for share in shares],
        (120, 60),
    )
    pdf.section(_("Repair-cost budget and its split (返修费用预算)"))
    pdf.grid(
        [_("money line"), _("total (CNY)"), _("borne by")],
        [
            (
                str(line["label"]),
                f"¥{line['total']}",
                "；".join(f"{share.label} ¥{part}" for share, part in line["parts"]),
            )
            for line in d["ledger"]
        ],
        (45, 35, 100),
    )
    pdf.section(_("Remedy (返修交货备忘)"))
    remedies = list(version.remedies.all())
    pdf.grid(
        [_("remedy"), _("quantity"), _("amount (CNY)")],
        [(r.kind.name, r.quantity, f"¥{r.amount}" if r.amount is not None else "") for r in remedies]
        or [("", "", "")],
        (100, 40, 40),
    )
    if version.note:
        pdf.facts([(_("note"), version.note)])
    approval = d.get("approval")
    approvers = (
        "；".join(
            signed(
                Signature(
                    name=x.actor.display_name,
                    at=x.at,
                    acting_for=x.acting_for.display_name if x.acting_for else "",
                )
            )
            + ("" if x.approve else " " + _("(refused)"))
            for x in approval.decisions.all()
        )
        if approval is not None
        else ""
    )
    countersigned = None
    if version.countersigned_by:
        countersigned = Signature(
            name=f"{version.countersigned_by} ({version.get_countersign_how_display()})",
            at=version.answered_at,
        )
    pdf.signatures(
        [
            (_("Proposed by (提出)"), Signature.of(version.proposed_by, version.proposed_at)),
            (_("Approved by (核决)"), Signature(name=approvers, at=None) if approvers else None),
            (_("Customer countersigned (客户会签)"), countersigned),
        ]
    )
    pdf.note(
        _(
            "The memo is due by the 2nd working day after the production manager receives the "
            "complaint (seed 000, 4.2.3.3 2)⑦)."
        )
    )
    return pdf.pdf_bytes()

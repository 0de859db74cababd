"""What the archive adds to complaints' pages, through kesu.complaints.registry (complaints never
imports this app): the caller panel of the intake form and the workbench's registration reminder."""

from __future__ import annotations

from typing import Any

from kesu.complaints import registry
from kesu.complaints.registry import Panel
from kesu.core import limits


def _lookup_text(raw: Any, max_length: int) -> str:
    """A typed value fit to look up with, or "": the form reports what is wrong with it; the panel
    only must not send the database what it cannot take (PostgreSQL refuses a NUL byte)."""
    if not isinstance(raw, str) or not raw or len(raw) > max_length or limits.unstorable(raw):
        return ""
    return raw


def intake_context(subject: Any) -> dict[str, Any]:
    """The caller panel on the intake form: the picked customer's card and the possible duplicates
    (when the form comes back with errors, as it was), and the picked product."""
    from kesu.archive import selectors
    from kesu.archive.views import card_context
    from kesu.customers.models import Customer, Product

    form, staff = subject
    data = form.data if form.is_bound else form.initial
    code = _lookup_text(data.get("customer"), 40)
    customer = Customer.objects.select_related("archive").filter(code=code).first() if code else None
    product_code = _lookup_text(data.get("product"), 60)
    product = Product.objects.filter(model_code=product_code).first() if product_code else None
    context = card_context(
        staff=staff,
        customer=customer,
        phone=_lookup_text(data.get("complainant_phone"), 200),
        order_number=_lookup_text(data.get("order_number"), 200),
        show_empty=False,
    )
    context.update(
        {
            "picked_product": product,
            "customer_errors": form.errors.get("customer") if form.is_bound else None,
            "product_errors": form.errors.get("product") if form.is_bound else None,
            "lookup_min": selectors.MIN_PHONE_FRAGMENT,
        }
    )
    return context


def workbench_context(staff: Any) -> dict[str, Any]:
    from kesu.archive import selectors, services

    if not services.may_keep(staff):
        return {"overdue_archives": [], "overdue_count": ""}
    rows, count = selectors.overdue_registrations()
    return {"overdue_archives": rows, "overdue_count": count}


def contribute() -> None:
    from kesu.archive import secrecy

    # Confidentiality on every read path of complaints (issue 11 §4): a classified customer's
    # complaints only for those who may know the customer; e-mails and scheduled reports carry
    # none of their content.
    registry.register_restriction(secrecy.complaint_restriction)
    registry.register_classification(secrecy.complaint_classification)
    registry.register_read_recorder(secrecy.record_complaint_reads)
    registry.register_panel(
        "intake",
        Panel(
            template="archive/intake_panel.html",
            context=intake_context,
            order=10,
            replaces=frozenset({"customer", "product"}),
        ),
    )
    registry.register_panel(
        "workbench", Panel(template="archive/workbench_panel.html", context=workbench_context, order=50)
    )

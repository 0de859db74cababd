"""What the archive adds to complaints' pages, through kesu.complaints.registry (complaints never
imports this app): the caller panel of the intake form and the workbench's registration reminder."""

from __future__ import annotations

from typing import Any

from kesu.complaints import registry
from kesu.complaints.registry import Panel


def intake_context(subject: Any) -> dict[str, Any]:
    """The caller panel on the intake form: the picked customer's card and the possible duplicates
    (when the form comes back with errors, as it was), and the picked product."""
    from kesu.archive import selectors
    from kesu.archive.views import card_context
    from kesu.customers.models import Customer, Product

    form, staff = subject
    data = form.data if form.is_bound else form.initial
    code = data.get("customer") or ""
    customer = (
        Customer.objects.select_related("archive").filter(code=code).first()
        if isinstance(code, str) and code and len(code) <= 40
        else None
    )
    product_code = data.get("product") or ""
    product = (
        Product.objects.filter(model_code=product_code).first()
        if isinstance(product_code, str) and product_code and len(product_code) <= 60
        else None
    )
    context = card_context(
        staff=staff,
        customer=customer,
        phone=data.get("complainant_phone") or "",
        order_number=data.get("order_number") or "",
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

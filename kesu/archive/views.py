"""Web views of the customer archive: the intake form's type-ahead and card (htmx fragments), the
customer list and page, and the forms on it. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kesu.archive import secrecy, selectors, services
from kesu.archive.models import ContactKind, CustomerClass, CustomerKind, ProfileField, ReadAudit
from kesu.core import limits
from kesu.customers.models import Customer, Product
from kesu.organization.models import Staff
from kesu.organization.selectors import staff_of


def _staff(request: HttpRequest) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff members see the customer archive."))
    return staff


def _text(request: HttpRequest, name: str, max_length: int) -> str:
    value = request.GET.get(name) or ""
    return "" if limits.unstorable(value) or len(value) > max_length else value


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def card_context(
    *,
    staff: Staff,
    customer: Customer | None,
    phone: str,
    order_number: str,
    show_empty: bool = True,
    address: str = "",
) -> dict[str, Any]:
    if customer is not None and not secrecy.may_know(staff, getattr(customer, "archive", None)):
        customer = None
    if customer is not None:
        secrecy.audit(
            [getattr(customer, "archive", None)], staff=staff, kind=ReadAudit.Kind.CARD, address=address
        )
    found, rules = selectors.duplicates(
        staff=staff, customer=customer, phone=phone, order_number=order_number
    )
    return {
        "show_personal": secrecy.sees_personal_data(staff),
        "picked": customer,
        "card": selectors.card(customer, staff=staff) if customer is not None else None,
        "duplicates": found,
        "duplicate_window": rules.duplicate_window_days,
        "duplicate_source": rules.duplicate_source,
        "may_keep": services.may_keep(staff),
        "kinds": CustomerKind.choices,
    }


@login_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """The type-ahead's suggestions (htmx fragment): customers by phone fragment, name, company,
    customer or archive number."""
    staff = _staff(request)
    q = request.GET.get("customer_q", request.GET.get("q", "")) or ""
    if len(q) > limits.SEARCH or limits.unstorable(q):
        return render(
            request,
            "archive/_lookup.html",
            {"error": _("Enter at most %(n)d characters.") % {"n": limits.SEARCH}},
            status=400,
        )
    customers = selectors.lookup(q, staff=staff)
    secrecy.audit(
        [getattr(c, "archive", None) for c in customers],
        staff=staff,
        kind=ReadAudit.Kind.SEARCH,
        address=_address(request),
    )
    return render(
        request,
        "archive/_lookup.html",
        {"customers": customers, "q": q.strip(), "show_personal": secrecy.sees_personal_data(staff)},
    )


@login_required
@require_GET
def intake_card(request: HttpRequest) -> HttpResponse:
    """The caller's card on the intake form: the picked customer (``customer``: customer number),
    their history and the possible duplicates by customer, phone and order number."""
    staff = _staff(request)
    code = _text(request, "customer", limits.CODE)
    customer = Customer.objects.select_related("archive").filter(code=code).first() if code else None
    if customer is not None and not secrecy.may_know(staff, getattr(customer, "archive", None)):
        customer = None
    if code and customer is None:
        return render(request, "archive/_card.html", {"error": _("No customer has this number.")}, status=400)
    context = card_context(
        staff=staff,
        customer=customer,
        phone=_text(request, "complainant_phone", limits.PHONE),
        order_number=_text(request, "order_number", limits.MODEL_TEXT),
        address=_address(request),
    )
    return render(request, "archive/_card.html", {**context, "clear_results": True})


@login_required
@require_POST
def quick_create(request: HttpRequest) -> HttpResponse:
    """An unknown caller becomes a customer from the intake form (its archive to be completed
    within the rule book's working days, seed 002 #5). Answers the card of the new customer."""
    staff = _staff(request)
    try:
        archive = services.create_customer(
            by=staff,
            name=request.POST.get("new_customer_name", ""),
            kind=request.POST.get("new_customer_kind", CustomerKind.COMPANY),
            phone=request.POST.get("new_customer_phone", ""),
            contact_name=request.POST.get("new_customer_contact", ""),
        )
    except PermissionDenied as exc:
        return render(request, "archive/_card.html", {"error": str(exc)}, status=403)
    except ValidationError as exc:
        errors = [f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items()]
        return render(
            request, "archive/_card.html", {"error": " ".join(errors), "keep_form": True}, status=400
        )
    context = card_context(
        staff=staff,
        customer=archive.customer,
        phone=request.POST.get("complainant_phone", "")[: limits.PHONE],
        order_number=request.POST.get("order_number", "")[: limits.MODEL_TEXT],
    )
    context["created"] = archive
    return render(request, "archive/_card.html", {**context, "clear_results": True})


@login_required
@require_GET
def product_lookup(request: HttpRequest) -> HttpResponse:
    _staff(request)
    q = request.GET.get("product_q", "") or ""
    if len(q) > limits.SEARCH or limits.unstorable(q):
        return render(
            request,
            "archive/_products.html",
            {"error": _("Enter at most %(n)d characters.") % {"n": limits.SEARCH}},
            status=400,
        )
    return render(
        request, "archive/_products.html", {"products": selectors.lookup_products(q), "q": q.strip()}
    )


@login_required
@require_GET
def product_pick(request: HttpRequest) -> HttpResponse:
    _staff(request)
    code = _text(request, "product", limits.MODEL_TEXT)
    product = Product.objects.filter(model_code=code).first() if code else None
    if product is None:
        return render(
            request,
            "archive/_product_picked.html",
            {"error": _("No product has this model code.")},
            status=400,
        )
    return render(request, "archive/_product_picked.html", {"picked_product": product, "clear_results": True})


# ---------------------------------------------------------------------------------------------
# The archive's own pages


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    q = request.GET.get("q", "") or ""
    error = None
    if len(q) > limits.SEARCH or limits.unstorable(q):
        error, q = _("Enter at most %(n)d characters.") % {"n": limits.SEARCH}, ""
    customers = selectors.lookup(q, staff=staff, limit=50) if q.strip() else []
    secrecy.audit(
        [getattr(c, "archive", None) for c in customers],
        staff=staff,
        kind=ReadAudit.Kind.SEARCH,
        address=_address(request),
    )
    overdue, overdue_count = selectors.overdue_registrations(limit=20)
    return render(
        request,
        "archive/list.html",
        {
            "q": q,
            "customers": customers,
            "error": error,
            "overdue": overdue,
            "overdue_count": overdue_count,
            "may_keep": services.may_keep(staff),
            "show_personal": secrecy.sees_personal_data(staff),
        },
        status=400 if error else 200,
    )


def _customer(number: str, staff: Staff) -> Customer:
    customer = selectors.customer_by_number(number, staff=staff)
    if customer is None:
        raise Http404(_("No such customer."))
    return customer


def _page_context(staff: Staff, customer: Customer, *, reveal: bool = False) -> dict[str, Any]:
    archive = services.archive_for(customer, by=staff)
    show_personal = reveal or secrecy.sees_personal_data(staff)
    fields = list(ProfileField.objects.filter(kind=archive.kind))
    groups: dict[str, list[dict[str, Any]]] = {}
    for field in fields:
        groups.setdefault(field.group or "", []).append(
            {"field": field, "value": archive.profile.get(field.code, "")}
        )
    return {
        "customer": customer,
        "archive": archive,
        "card": selectors.card(customer, staff=staff),
        "profile_groups": groups,
        "profile_fields": fields,
        "timeline": selectors.timeline(customer, staff=staff),
        "class_history": selectors.class_history(customer),
        "contact_kinds": ContactKind.choices,
        "may_keep": services.may_keep(staff),
        "show_personal": show_personal,
        "may_reveal": not show_personal,
        "may_classify": bool(secrecy.roles(staff) & secrecy.CLASSIFIERS),
        "classes": {
            scheme: list(CustomerClass.objects.filter(scheme=scheme))
            for scheme in CustomerClass.Scheme.values
        },
        "levels": archive._meta.get_field("confidentiality").choices,
    }


@login_required
@require_GET
def customer_page(request: HttpRequest, number: str) -> HttpResponse:
    """The customer's page; a classified archive's read is audited (one row per read)."""
    staff = _staff(request)
    customer = _customer(number, staff)
    context = _page_context(staff, customer)
    secrecy.audit([context["archive"]], staff=staff, kind=ReadAudit.Kind.PAGE, address=_address(request))
    return render(request, "archive/customer.html", context)


@login_required
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """Show the masked personal data in full, once, logged (who, when, from where)."""
    staff = _staff(request)
    customer = _customer(number, staff)
    context = _page_context(staff, customer, reveal=True)
    secrecy.audit([context["archive"]], staff=staff, kind=ReadAudit.Kind.REVEAL, address=_address(request))
    return render(request, "archive/customer.html", context)


@login_required
@require_POST
def confidentiality(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    customer = _customer(number, staff)
    archive = services.archive_for(customer, by=staff)
    try:
        secrecy.set_level(
            archive=archive,
            by=staff,
            level=request.POST.get("level", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied, secrecy.NotAllowed) as error:
        if isinstance(error, secrecy.NotAllowed):
            error = PermissionDenied(str(error))
        return _again(request, staff, customer, error, "classify")
    messages.success(request, _("Confidentiality level set."))
    return redirect("customer-page", number=archive.number)


def _again(
    request: HttpRequest,
    staff: Staff,
    customer: Customer,
    error: ValidationError | PermissionDenied,
    form: str,
) -> HttpResponse:
    context = _page_context(staff, customer)
    if isinstance(error, PermissionDenied):
        context[f"{form}_errors"] = {"": [str(error)]}
        return render(request, "archive/customer.html", context, status=403)
    context[f"{form}_errors"] = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    context[f"{form}_values"] = request.POST
    return render(request, "archive/customer.html", context, status=400)


@login_required
@require_POST
def log_contact(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    customer = _customer(number, staff)
    archive = services.archive_for(customer, by=staff)
    try:
        services.log_contact(
            archive=archive,
            by=staff,
            kind=request.POST.get("kind", ""),
            summary=request.POST.get("summary", ""),
            at=request.POST.get("at") or None,
            complaint_number=request.POST.get("complaint_number", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        return _again(request, staff, customer, error, "contact")
    messages.success(request, _("Contact recorded."))
    return redirect("customer-page", number=archive.number)


@login_required
@require_POST
def correct(request: HttpRequest, number: str) -> HttpResponse:
    """Correct the customer's data: every field the form sent that differs from the archive
    (the customer's own fields and the rule book's profile fields), with one reason."""
    staff = _staff(request)
    customer = _customer(number, staff)
    archive = services.archive_for(customer, by=staff)
    changes: dict[str, Any] = {}
    for key in services.CUSTOMER_FIELDS:
        if key in request.POST:
            changes[key] = request.POST[key]
    for field in ProfileField.objects.filter(kind=archive.kind):
        name = f"profile.{field.code}"
        if name in request.POST and request.POST[name] != str(archive.profile.get(field.code, "")):
            changes[name] = request.POST[name]
    for key in request.POST:
        if (
            key.startswith("profile.")
            and key not in changes
            and not ProfileField.objects.filter(kind=archive.kind, code=key[8:]).exists()
        ):
            changes[key] = request.POST[key]  # refused by the service: an unknown field
    try:
        written = services.correct(
            archive=archive, by=staff, changes=changes, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        return _again(request, staff, customer, error, "correct")
    messages.success(request, _("%(n)d change(s) recorded.") % {"n": len(written)})
    return redirect("customer-page", number=archive.number)


@login_required
@require_POST
def classify(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    customer = _customer(number, staff)
    archive = services.archive_for(customer, by=staff)
    changes = {
        k: request.POST[k]
        for k in ("customer_class", "grade", "credit_class", "credit_limit")
        if k in request.POST
    }
    try:
        written = services.classify(
            archive=archive, by=staff, changes=changes, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        return _again(request, staff, customer, error, "classify")
    messages.success(request, _("%(n)d change(s) recorded.") % {"n": len(written)})
    return redirect("customer-page", number=archive.number)


@login_required
@require_http_methods(["POST"])
def register(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    customer = _customer(number, staff)
    archive = services.archive_for(customer, by=staff)
    try:
        services.mark_registered(archive=archive, by=staff)
    except (ValidationError, PermissionDenied) as error:
        return _again(request, staff, customer, error, "correct")
    messages.success(request, _("Archive registered."))
    return redirect("customer-page", number=archive.number)


@login_required
@require_POST
def add_contact(request: HttpRequest, number: str) -> HttpResponse:
    """A person at the customer (联系人)."""
    staff = _staff(request)
    customer = _customer(number, staff)
    archive = services.archive_for(customer, by=staff)
    try:
        services.add_contact(
            archive=archive,
            by=staff,
            name=request.POST.get("name", ""),
            title=request.POST.get("title", ""),
            phone=request.POST.get("phone", ""),
            email=request.POST.get("email", ""),
            is_primary=request.POST.get("is_primary") == "on",
        )
    except (ValidationError, PermissionDenied) as error:
        return _again(request, staff, customer, error, "person")
    messages.success(request, _("Contact added"))
    return redirect("customer-page", number=archive.number)

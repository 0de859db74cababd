"""The documented maximum length of every free-text input, in characters — one place for all.

The model fields (so the admin enforces them too), the web forms, the API schemas (``maxLength``
in the OpenAPI document), the action inputs (web, API and CLI alike) and ``kesu register`` read
these numbers; README.md's "Limits" table lists them and a docs test keeps the two equal.

Why limits at all: every text is stored, indexed for search and shown on pages; one unbounded
description could stall registration for everybody (issue 6). The description is the longest
text a complaint needs; handling texts (remedy, resolution, reply, comments, reasons) are shorter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

DESCRIPTION = 10_000  # 投诉内容: what happened, told objectively
HANDLING_TEXT = 4_000  # requested remedy, resolution, reply, comments, reasons, late reasons
PERSON_NAME = 100
PHONE = 40
ADDRESS = 300
MODEL_TEXT = 60  # product model, batch and order numbers as the customer gives them
CODE = 40  # class, severity, department and customer codes
USERNAME = 150  # Django's username length
ATTACHMENT_NAME = 255  # longer file names are shortened by Django, keeping the extension
SEARCH = 100  # the list's search box (q)
IDEMPOTENCY_KEY = 200
DECISION_NOTE = HANDLING_TEXT  # the handling decision's note (处理决定说明)
PARTY_NAME = PERSON_NAME  # a responsible party named in words (a carrier, a supplier, the customer)
TASK_KIND = 60  # a department task's kind in the company's words: 原因分析, 改善对策, 研发意见
TASK_KINDS = 400  # the task kinds a step waits for, separated by 、 (admin, presets)
SAVED_FILTER_NAME = 60  # a saved filter of the complaint list, e.g. 本月未结质量投诉
SAVED_FILTER_QUERY = 2_000  # the filters it keeps, as the list's query string
CUSTOMER_NAME = 200  # a customer's (company's or person's) name, as Customer.name
PROFILE_TEXT = 200  # one field of a customer's profile (rule-book fields of type text)
PROFILE_LONG_TEXT = 2_000  # a long profile field (business scope, health, goals …)
CONTACT_SUMMARY = HANDLING_TEXT  # what a call, visit, letter, fax or e-mail was about
CONTACT_TITLE = 60  # a contact person's position at the customer
EMAIL = 254  # RFC 5321's longest address


@dataclass(frozen=True)
class Limit:
    """One input's maximum: the name it has in forms, the API and action inputs, and where it is."""

    name: str
    max_length: int
    where: str


LIMITS: tuple[Limit, ...] = (
    Limit("description", DESCRIPTION, "registration; `file_secondary`"),
    Limit("requested_remedy", HANDLING_TEXT, "registration"),
    Limit("resolution", HANDLING_TEXT, "`propose_resolution`"),
    Limit(
        "reply",
        HANDLING_TEXT,
        "`answer_on_spot`, `answer_and_forward`, `reply_to_customer`, `acknowledge_customer`",
    ),
    Limit("comment", HANDLING_TEXT, "every action's comment"),
    Limit(
        "reason",
        HANDLING_TEXT,
        "`propose_transfer`, `answer_and_forward`, `correct`, `request_extension`, an approval decision,"
        " cancelling a task, correcting a customer's data, an assessment finding, an appeal and its decision",
    ),
    Limit("late_reason", HANDLING_TEXT, "`close`"),
    Limit("complainant_name", PERSON_NAME, "registration"),
    Limit("complainant_phone", PHONE, "registration"),
    Limit("complainant_address", ADDRESS, "registration"),
    Limit("product_model", MODEL_TEXT, "registration"),
    Limit("batch_number", MODEL_TEXT, "registration"),
    Limit("order_number", MODEL_TEXT, "registration"),
    Limit("customer", CODE, "registration (customer number)"),
    Limit("product", MODEL_TEXT, "registration (product model code)"),
    Limit("category", CODE, "registration, `classify` (class code)"),
    Limit("severity", CODE, "registration, `classify` (severity code)"),
    Limit("to_department", CODE, "`propose_transfer` (department code)"),
    Limit("handler", USERNAME, "`accept_transfer` (username)"),
    Limit("accused_staff", USERNAME, "registration (each username)"),
    Limit("q", SEARCH, "the complaint list's search and its customer filter"),
    Limit("filter name", SAVED_FILTER_NAME, "saving the complaint list's filters"),
    Limit("attachment name", ATTACHMENT_NAME, "attachments (longer names are shortened)"),
    Limit("Idempotency-Key", IDEMPOTENCY_KEY, "`POST /api/v1/complaints` header"),
    Limit("decision note", DECISION_NOTE, "`propose_decision` (note)"),
    Limit("party name", PARTY_NAME, "`propose_decision` (a share's name)"),
    Limit("signed_by", PERSON_NAME, "`record_countersign` (who signed for the customer)"),
    Limit("refusal reason", HANDLING_TEXT, "`record_refusal` (why the customer refuses)"),
    Limit("objection reason", HANDLING_TEXT, "`raise_objection` (签呈: why the department objects)"),
    Limit("objection outcome", HANDLING_TEXT, "`decide_objection` (the decider's reason)"),
    Limit("evidence facts", HANDLING_TEXT, "`record_evidence` (the on-site memo's facts)"),
    Limit("customer statement", HANDLING_TEXT, "`record_evidence` (the customer's statement)"),
    Limit("delivery memo", HANDLING_TEXT, "`record_determination` (返修交货备忘)"),
    Limit("agreement comment", HANDLING_TEXT, "`record_agreement` (a committee member's comment)"),
    Limit("kind", TASK_KIND, "opening department tasks (e.g. 原因分析)"),
    Limit("instructions", HANDLING_TEXT, "opening department tasks (what the department is asked)"),
    Limit("result", HANDLING_TEXT, "completing a department task"),
    Limit("note", HANDLING_TEXT, "distributing the result to departments"),
    Limit("department", CODE, "department tasks and distributions (department code)"),
    Limit("assignee", USERNAME, "department tasks (username)"),
    Limit("waybill", MODEL_TEXT, "`record_shipment` (the carrier's waybill number)"),
    Limit("item", MODEL_TEXT, "`record_receivable` (the item, 料号)"),
    Limit("sealed_by", PERSON_NAME, "`seal_credit_note` (who sealed for the customer)"),
    Limit("customer_name", CUSTOMER_NAME, "a new customer (intake form, `POST /api/v1/customers`)"),
    Limit("phone", PHONE, "a new customer, a contact"),
    Limit("contact_name", PERSON_NAME, "a customer's contact person"),
    Limit("contact_title", CONTACT_TITLE, "a customer's contact person"),
    Limit("email", EMAIL, "a customer's contact person"),
    Limit("summary", CONTACT_SUMMARY, "the contact log (a call, visit, letter, fax, e-mail)"),
    Limit("profile text", PROFILE_TEXT, "a customer's profile field of type text"),
    Limit("profile long text", PROFILE_LONG_TEXT, "a customer's profile field of type long text"),
    Limit("lookup", SEARCH, "the customer type-ahead (`q`)"),
    Limit("evidence", HANDLING_TEXT, "assessment findings (what shows the fact)"),
)

BY_NAME: dict[str, int] = {limit.name: limit.max_length for limit in LIMITS}


def max_length(name: str) -> int:
    """The maximum for an input by name (KeyError for a name without one: every text has one)."""
    return BY_NAME[name]


def unstorable(value: str) -> str | None:
    """Why a text cannot be stored, or None: PostgreSQL refuses NUL in text, and a lone surrogate
    (``"\\ud800"``, which JSON can carry) is not UTF-8 at all."""
    if "\x00" in value:
        return _("NUL characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("The text is not valid Unicode (a lone surrogate).")
    return None


def check_text(value: str, *, max_length: int) -> str:
    """Return ``value`` if it can be stored and is not longer than ``max_length``, else raise
    ValidationError saying why (for inputs that come in without a form: CLI, action inputs)."""
    problem = unstorable(value)
    if problem is None and len(value) > max_length:
        problem = _("Ensure this value has at most %(limit)d characters (it has %(length)d).") % {
            "limit": max_length,
            "length": len(value),
        }
    if problem:
        raise ValidationError(problem)
    return value


class BoundedTextField(models.TextField):
    """A TextField whose ``max_length`` is checked by ``full_clean`` too: Django's TextField hands
    it only to its form field, so a service that cleans the model would store any length."""

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(validators.MaxLengthValidator(max_length))

"""The complaints table's rows are written in Python (kesu_ui.complaint_rows) for speed: they must
say what the template they replaced said, cell for cell, in every variant of the table."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.template import Context, Template

from kesu.complaints.models import Complaint, Status
from kesu.complaints.templatetags.kesu_ui import complaint_rows
from kesu.customers.models import Customer
from tests.conftest import advance, local

# complaints/_table.html's rows before they moved to Python.
TEMPLATE_ROWS = Template(
    """{% load i18n kesu_ui kesu_time %}{% for c in complaints %}
    <tr>
      {% if sortable and bulk %}<td>{% if c.status == "transfer_proposed" %}<input type="checkbox" name="number" value="{{ c.number }}" form="bulk-approve" aria-label="{{ c.number }}"><input type="hidden" name="version-{{ c.number }}" value="{{ c.version }}" form="bulk-approve">{% endif %}</td>{% endif %}
      <td><a class="number" href="{% url 'complaint-detail' c.number %}">{{ c.number }}</a></td>
      {% if not compact %}<td class="nowrap">{{ c.received_at|date:"Y-m-d H:i" }}</td>{% endif %}
      <td>{{ c.complainant_name }}{% if c.customer and not compact %}<div class="muted small">{{ c.customer.name }}</div>{% endif %}</td>
      <td class="subject" title="{{ c.description|truncatechars:200 }}">{{ c.description|truncatechars:24 }}</td>
      <td class="nowrap">{{ c.category|localized|default:"—" }}</td>
      <td><span class="badge sev-{{ c.severity.code }}">{{ c.severity|localized }}</span></td>
      <td><span class="badge status-{{ c.status }}">{{ c.get_status_display }}</span></td>
      <td class="nowrap due">{% if c.next_due_at %}<time datetime="{{ c.next_due_at|date:'c' }}">{{ c.next_due_at|date:"m-d H:i" }}</time>{% if c.next_due_at|is_past %} <span class="badge overdue">{% translate "overdue" %}</span>{% endif %}{% else %}<span class="muted">—</span>{% endif %}</td>
      {% if sortable %}<td class="nowrap">{{ c.get_channel_display }}</td>{% endif %}
      {% if not compact %}<td>{{ c.handling_department.name|default:"—" }}</td>{% endif %}
      {% if sortable %}<td>{{ c.handler.display_name|default:"—" }}</td>{% endif %}
    </tr>
  {% empty %}
    <tr><td colspan="{% if compact %}7{% elif sortable %}13{% else %}9{% endif %}" class="empty">{% translate "No complaints." %}</td></tr>
  {% endfor %}"""
)


def _tight(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.django_db
def test_the_rows_say_what_the_template_said(org, register):
    customer = Customer.objects.create(code="C9", name="<顺达> & 物流")
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaints = [
            register(complainant_name='张"三"<b>', description="沙发扶手开裂，" * 30, customer=customer),
            advance(register(), org, Status.ACCEPTED),  # a running clock: due, then overdue below
            advance(register(), org, Status.TRANSFER_PROPOSED),  # the bulk checkbox
            register(category=None),
        ]
    ids = [c.pk for c in complaints]
    for when in (local(2026, 11, 16, 11), local(2026, 11, 16, 11) + timedelta(days=30)):
        with time_machine.travel(when, tick=False):
            rows = list(
                Complaint.objects.filter(pk__in=ids)
                .select_related("category", "severity", "customer", "handling_department", "handler")
                .order_by("pk")
            )
            assert any(c.next_due_at for c in rows)
            for flags in ({}, {"compact": True}, {"sortable": True}, {"sortable": True, "bulk": True}):
                expected = TEMPLATE_ROWS.render(Context({"complaints": rows, **flags}))
                assert _tight(complaint_rows(rows, **flags)) == _tight(expected), flags
                assert _tight(complaint_rows([], **flags)) == _tight(
                    TEMPLATE_ROWS.render(Context({"complaints": [], **flags}))
                )

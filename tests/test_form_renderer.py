"""The form renderer writes the simplest widgets in Python (kesu/core/form_renderer.py): the HTML
must be exactly what Django's own templates write, for every form the app shows and for the
awkward values (markup in a value or label, boolean attributes, several selected options, groups)."""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from kesu.complaints.actions import ACTION_INPUTS
from kesu.complaints.forms import (
    AttachmentForm,
    CorrectionForm,
    IntakeForm,
    ListFilterForm,
    SavedFilterForm,
    action_form,
)
from kesu.core.form_renderer import FastFormRenderer


def _both(form: forms.Form) -> tuple[str, str]:
    form.renderer = DjangoTemplates()
    django_html = str(form.as_div())
    form.renderer = FastFormRenderer()
    fast_html = str(form.as_div())
    return django_html, fast_html


def test_the_site_uses_it():
    assert settings.FORM_RENDERER == "kesu.core.form_renderer.FastFormRenderer"


@pytest.mark.django_db
def test_every_form_of_the_complaint_pages_renders_as_with_djangos_templates(org, register):
    complaint = register(order_number="SO-<1>&\"'")
    forms_ = [
        IntakeForm(),
        IntakeForm({"complainant_name": "<b>张</b>", "quantity": "x", "description": "a & b"}),
        ListFilterForm({"status": ["registered", "classified"], "q": '"开裂" <script>'}),
        ListFilterForm(),
        SavedFilterForm(initial={"query": "q=a&b=<c>"}),
        CorrectionForm(complaint),
        AttachmentForm(initial={"version": complaint.version}),
    ]
    forms_ += [action_form(name, complaint) for name in ACTION_INPUTS]
    forms_ += [action_form(name, complaint, {f"{name}-version": "x"}) for name in ACTION_INPUTS]
    for form in forms_:
        form.is_bound and form.is_valid()  # bound ones show their errors
        django_html, fast_html = _both(form)
        assert fast_html == django_html, type(form).__name__
    # the comparison saw the widgets it is about
    every = "".join(_both(form)[1] for form in forms_)
    for tag in ("<input", "<textarea", "<select", "<option", 'type="hidden"', "selected"):
        assert tag in every


class _Awkward(forms.Form):
    text = forms.CharField(
        initial='a "quoted" <value> & more', widget=forms.TextInput(attrs={"required": False})
    )
    safe = forms.CharField(initial=mark_safe("<i>kept</i>"))
    flag = forms.BooleanField(initial=True)
    off = forms.BooleanField(initial=False, required=False)
    number = forms.DecimalField(
        initial=1234.5, widget=forms.NumberInput(attrs={"step": "0.01", "data-x": True})
    )
    notes = forms.CharField(widget=forms.Textarea, initial="line 1\n<line 2>")
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    many = forms.MultipleChoiceField(
        choices=[("a", "A <1>"), ("b", mark_safe("<b>B</b>")), ("c", 3)], initial=["a", "c"]
    )
    grouped = forms.ChoiceField(
        choices=[("", "---------"), ("东区", [("1", "一"), ("2", "二")]), ("3", "三")], initial="2"
    )
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial="2026-12-01")
    radio = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)  # not rewritten


def test_awkward_values_render_as_with_djangos_templates():
    for form in (_Awkward(), _Awkward({"text": "<x>", "many": ["b"], "grouped": "3", "number": "x"})):
        form.is_bound and form.is_valid()
        django_html, fast_html = _both(form)
        assert fast_html == django_html

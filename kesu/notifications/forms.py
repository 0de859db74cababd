from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.notifications.models import Notification


class CentreFilter(forms.Form):
    """The notification centre's filter: unread or all (history), and a kind."""

    show = forms.ChoiceField(
        label=_("Show"),
        choices=[("unread", _("Unread")), ("all", _("All (with read ones)"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Notification.Kind.choices], required=False
    )

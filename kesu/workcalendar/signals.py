"""``calendar_changed``: sent inside the transaction of an administrator's edit of the working
calendar (a day, a year, the working hours), with ``reason`` — a line for the timeline. A receiver
returns how many complaints it re-timed (kesu.deadlines connects ``recompute_for_calendar``)."""

from django.dispatch import Signal

calendar_changed = Signal()

"""``clock_went_late``: sent once per clock, inside the transaction that notes it late, with
``clock`` (a ComplaintClock whose ``complaint`` is loaded) and ``at`` (when Kesu noticed).

It is sent by the sweep for a running clock past its due time (``sweeps.note_late``), and by the
clock's own stop for a clock met after its due time that no sweep had noticed yet (the worker was
down, or the clock ran out between two sweeps). Apps built above deadlines (kesu.accountability
records who held the clock at that moment) connect to it without deadlines importing them."""

from django.dispatch import Signal

clock_went_late = Signal()

"""Reads about people: who is acting, in which capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from kesu.organization.models import Staff


@dataclass(frozen=True)
class Capacity:
    """A signed-in person acting either as themselves or as deputy (代理) for an absent principal.

    Permission checks use the principal's roles and department; the timeline records both.
    ``stands_in_for`` names a role whose every holder is recused (回避) from the complaint at hand,
    when the rule book lets the actor decide instead (see kesu.complaints.workflow).
    """

    actor: Staff
    principal: Staff
    stands_in_for: str = ""

    @property
    def acting_for(self) -> Staff | None:
        return None if self.principal.pk == self.actor.pk else self.principal

    @property
    def roles(self) -> frozenset[str]:
        return self.principal.roles


def staff_of(user: AbstractBaseUser | AnonymousUser | None) -> Staff | None:
    """The signed-in person's staff record with their roles, department and position. Read once
    per request: the record is kept on the user object, which Django loads anew for each request
    (the session middleware's ``request.user``); ``capacities_of`` then also reads their
    capacities once (see ``per_request``)."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, _STAFF_ATTR, _UNSET)
    if cached is not _UNSET:
        return cached
    try:
        staff: Staff | None = per_request(
            Staff.objects.select_related("department", "position")
            .prefetch_related("role_assignments")
            .get(user_id=user.pk)
        )
    except Staff.DoesNotExist:
        staff = None
    setattr(user, _STAFF_ATTR, staff)
    return staff


_STAFF_ATTR = "_kesu_staff"
_CAPACITIES_ATTR = "_kesu_capacities"
_UNSET = object()


def per_request(staff: Staff) -> Staff:
    """Mark a staff record read for one request (a signed-in user, an API token): its capacities
    are read once, on first use, and kept on it for the rest of the request. Records read
    elsewhere (services, commands, tests) are not marked and always read their capacities afresh,
    so an absence that starts between two calls is seen."""
    staff.__dict__[_CAPACITIES_ATTR] = None
    return staff


def capacities_of(*, staff: Staff | None, at: datetime | None = None) -> list[Capacity]:
    """The capacities ``staff`` may act in now: themselves first, then each absent principal
    (one query for the principals, one for their roles when there are any)."""
    if staff is None:
        return []
    if at is None and _CAPACITIES_ATTR in staff.__dict__:
        cached = staff.__dict__[_CAPACITIES_ATTR]
        if cached is None:
            cached = staff.__dict__[_CAPACITIES_ATTR] = _capacities(staff, timezone.now())
        return list(cached)
    return _capacities(staff, at or timezone.now())


def _capacities(staff: Staff, at: datetime) -> list[Capacity]:
    capacities = [Capacity(actor=staff, principal=staff)]
    principals = (
        Staff.objects.filter(deputy=staff, absent_from__lte=at)
        .select_related("department")
        .prefetch_related("role_assignments")
    )
    capacities += [Capacity(actor=staff, principal=p) for p in principals if p.is_absent(at)]
    return capacities

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
    if user is None or not user.is_authenticated:
        return None
    try:
        return (
            Staff.objects.select_related("department", "position")
            .prefetch_related("role_assignments")
            .get(user_id=user.pk)
        )
    except Staff.DoesNotExist:
        return None


def capacities_of(*, staff: Staff | None, at: datetime | None = None) -> list[Capacity]:
    """The capacities ``staff`` may act in now: themselves first, then each absent principal."""
    if staff is None:
        return []
    at = at or timezone.now()
    capacities = [Capacity(actor=staff, principal=staff)]
    principals = (
        Staff.objects.filter(deputy=staff, absent_from__lte=at)
        .select_related("department")
        .prefetch_related("role_assignments")
    )
    capacities += [Capacity(actor=staff, principal=p) for p in principals if p.is_absent(at)]
    return capacities

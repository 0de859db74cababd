"""Reads about a complaint's committee (a fixed number of queries)."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from kesu.committees.models import Committee, CommitteeMember
from kesu.complaints.models import Complaint
from kesu.organization.models import Staff
from kesu.organization.selectors import capacities_of


def committee_of(*, complaint: Complaint) -> Committee | None:
    """The complaint's committee with its rule, members, photos and determination, or None."""
    return (
        Committee.objects.filter(complaint=complaint)
        .select_related("rule", "convened_by", "evidence_by", "determination")
        .prefetch_related(
            Prefetch(
                "members", queryset=CommitteeMember.objects.select_related("staff").order_by("position")
            ),
            "photos",
        )
        .first()
    )


def complaints_visible_to_members(staff: Staff) -> Q:
    """A committee member (or their deputy while absent) sees the complaint the committee sits
    on — the sales manager who collects the evidence is in no department it was transferred to;
    never a complaint they are complained about (回避). A subquery: reads nothing itself."""
    principals = {c.principal.pk for c in capacities_of(staff=staff)}
    members = CommitteeMember.objects.filter(staff_id__in=principals).values("committee__complaint_id")
    accused = Complaint.accused_staff.through.objects.filter(staff_id=staff.pk).values("complaint_id")
    return Q(pk__in=members) & ~Q(pk__in=accused)

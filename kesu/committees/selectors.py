"""Reads about a complaint's committee (a fixed number of queries)."""

from __future__ import annotations

from django.db.models import Prefetch

from kesu.committees.models import Committee, CommitteeMember
from kesu.complaints.models import Complaint


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

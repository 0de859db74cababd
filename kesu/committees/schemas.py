"""The API's shape of a complaint's meetings (in its detail, ``meetings``): each meeting that voted
on the proposed resolution, its quorum and majority, and every member's vote."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from kesu.complaints.schemas import LocalDateTime, StaffRef


class MeetingVoteOut(Schema):
    seat: str
    member: StaffRef
    vote: Literal["", "agree", "disagree", "abstain"] = Field(description='"" while not voted.')
    comment: str
    cast_by: StaffRef | None = Field(description="The member, or their deputy who voted for them.")
    cast_at: LocalDateTime | None


class MeetingOut(Schema):
    """A meeting (e.g. 合伙人会议) on the complaint's proposed resolution."""

    round: int = Field(description="1 for the first meeting on the complaint, 2 for the next …")
    name: str
    status: Literal["open", "concluded"]
    outcome: Literal["", "approved", "rejected", "no_quorum"]
    agenda: str
    quorum_percent: int = Field(description="Quorum: more than this percentage of the members vote.")
    majority_percent: int = Field(description="Majority: more than this percentage of those present agree.")
    convened_by: StaffRef
    convened_at: LocalDateTime
    concluded_at: LocalDateTime | None
    votes: list[MeetingVoteOut]

"""The arithmetic of a vote (表决): quorum and majority, as the rule book sets them.

Plain functions of counts, no database: the services call them, the tests check each boundary.

- **Quorum**: more than ``quorum_percent`` of the members have voted (an abstention is a member
  present). 50 with 3 members: 2 must vote.
- **Majority**: more than ``majority_percent`` of the members present agree. 50: a simple majority
  of those present; an abstention counts as present and not agreeing, as in most partnership
  deeds (the law firm's seed is silent on both numbers: see the lawfirm preset).

While members are still to vote, the outcome is already certain when the agreements reach the
majority of every member (whoever votes later cannot undo it), or when even every remaining
member agreeing could not reach it. The convenor may also end the meeting: then the members who
did not vote are absent, and without the quorum there is no decision.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    members: int
    agree: int = 0
    disagree: int = 0
    abstain: int = 0

    @property
    def present(self) -> int:
        return self.agree + self.disagree + self.abstain

    @property
    def remaining(self) -> int:
        return self.members - self.present


def more_than(part: int, whole: int, percent: int) -> bool:
    """``part`` is more than ``percent`` % of ``whole`` (integers: no rounding)."""
    return part * 100 > whole * percent


def quorum_reachable(members: int, quorum_percent: int) -> bool:
    """Whether the members could reach the quorum at all (if every one of them voted)."""
    return members > 0 and more_than(members, members, quorum_percent)


def minimum_present(members: int, quorum_percent: int) -> int:
    """The fewest votes that make the quorum."""
    return next((n for n in range(members + 1) if more_than(n, members, quorum_percent)), members + 1)


def outcome(tally: Tally, *, quorum_percent: int, majority_percent: int, final: bool) -> str | None:
    """``"approved"``, ``"rejected"``, ``"no_quorum"`` or None (not decided yet). ``final``: the
    meeting ends now (every member voted, or the convenor closes it)."""
    if final or tally.remaining == 0:
        if not more_than(tally.present, tally.members, quorum_percent):
            return "no_quorum"
        return "approved" if more_than(tally.agree, tally.present, majority_percent) else "rejected"
    # Certain before everyone voted: the quorum is met and no later vote can change the result.
    if not more_than(tally.present, tally.members, quorum_percent):
        return None
    if more_than(tally.agree, tally.members, majority_percent):
        return "approved"  # a majority of every member: a majority of any number present
    if not more_than(tally.agree + tally.remaining, tally.members, majority_percent):
        return "rejected"  # (agree + r) / (present + r) is largest when all the rest agree
    return None

"""Confidentiality of customer archives (issue 11 §4; seed 001 客户管理制度10 四、1 知晓范围):

- 副/总经理 (vice president, general manager) may know every level;
- 绝密 (top secret): only the people they name (``ArchiveGrant`` by a VP or the GM);
- 机密 (confidential): the supervisor in charge — the CS director, who keeps the archive — and the
  people they name;
- 秘密 (secret): the people concerned — the desk that keeps the archive — and the people named.
An archive without a level is open to the staff. Who may not know an archive does not find it: not
in the type-ahead, the archive list or the API, and its page is a 404. Every read of a classified
archive writes one ``ReadAudit`` row (who, what, when, from where).

Personal data (phone, address and the profile fields marked ``personal``) is shown in full to the
desk and the leadership; to the others it is masked (``138****5678``) until they reveal it, which is
logged like a confidential read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kesu.archive.models import ArchiveGrant, Confidentiality, CustomerArchive, ReadAudit
from kesu.core.errors import KesuError
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import capacities_of

LEADERSHIP = frozenset({Role.GENERAL_MANAGER, Role.VICE_PRESIDENT})
# Who may know each level by role (besides the people named on the archive).
BY_ROLE: dict[str, frozenset[str]] = {
    Confidentiality.TOP_SECRET: LEADERSHIP,
    Confidentiality.CONFIDENTIAL: LEADERSHIP | {Role.CS_DIRECTOR},
    Confidentiality.SECRET: LEADERSHIP | {Role.CS_DIRECTOR, Role.DESK_CLERK},
}
# Who may name people for each level (seed: 绝密 the (vice) general manager; 机密 the supervisor).
NAMERS: dict[str, frozenset[str]] = {
    Confidentiality.TOP_SECRET: LEADERSHIP,
    Confidentiality.CONFIDENTIAL: LEADERSHIP | {Role.CS_DIRECTOR},
    Confidentiality.SECRET: LEADERSHIP | {Role.CS_DIRECTOR, Role.DESK_CLERK},
}
CLASSIFIERS = LEADERSHIP | {Role.CS_DIRECTOR}
# Roles that need customers' personal data in full (the desk answers the phone; leadership decides).
SEES_PERSONAL_DATA = LEADERSHIP | {Role.CS_DIRECTOR, Role.DESK_CLERK, Role.ADMINISTRATOR}


class NotAllowed(KesuError):
    status_code = 403


def _access() -> Any:
    from kesu.archive import access

    return access


def roles(staff: Staff | None) -> set[str]:
    capacities = capacities_of(staff=staff)
    return set().union(*(c.roles for c in capacities)) if capacities else set()


def known_filter(staff: Staff | None, *, prefix: str = "") -> Q:
    """A filter on archives (``prefix`` "archive__" on customers) for those ``staff`` may know."""
    p = prefix
    mine = roles(staff)
    condition = Q(**{f"{p}confidentiality": ""})
    if prefix:
        condition |= Q(**{f"{p}isnull": True})
    levels = [level for level, allowed in BY_ROLE.items() if mine & allowed]
    if levels:
        condition |= Q(**{f"{p}confidentiality__in": levels})
    if staff is not None:
        named = ArchiveGrant.objects.filter(staff=staff).values("archive_id")
        condition |= Q(**{f"{p}pk__in": named})
        condition |= Q(**{f"{p}pk__in": _access().active_archive_ids(staff)})
    return condition


def may_know(staff: Staff | None, archive: CustomerArchive | None) -> bool:
    if archive is None or not archive.confidentiality:
        return True
    if roles(staff) & BY_ROLE[archive.confidentiality]:
        return True
    if staff is None:
        return False
    if ArchiveGrant.objects.filter(archive=archive, staff=staff).exists():
        return True
    return _access().active_filter(staff).filter(archive=archive).exists()


def complaint_restriction(staff: Staff | None) -> Q | None:
    """Registered with complaints (``registry.register_restriction``): the complaints of a
    classified customer only for those who may know the customer — on every page, list, search,
    API answer, statistics export, printed form and attachment that reads complaints through
    ``complaints_visible_to``. Leadership knows every level: not restricted.

    As "the customer is not among the classified archives this person may not know": a subquery
    over the few classified archives (a partial index), not a join per complaint."""
    mine = roles(staff)
    if mine & LEADERSHIP:
        return None
    hidden_levels = [level for level, allowed in BY_ROLE.items() if not mine & allowed]
    if not hidden_levels:
        return None
    hidden = CustomerArchive.objects.filter(confidentiality__in=hidden_levels)
    if staff is not None:
        hidden = hidden.exclude(pk__in=ArchiveGrant.objects.filter(staff=staff).values("archive_id")).exclude(
            pk__in=_access().active_archive_ids(staff)
        )
    return ~Q(customer_id__in=hidden.values("pk"))


def complaint_classification(complaint: Any) -> str:
    """Registered with complaints: the label of the complaint's customer's level, "" if open."""
    customer_id = getattr(complaint, "customer_id", None)
    if customer_id is None:
        return ""
    level = CustomerArchive.objects.filter(pk=customer_id).values_list("confidentiality", flat=True).first()
    return str(Confidentiality(level).label) if level else ""


def sees_personal_data(staff: Staff | None) -> bool:
    return bool(roles(staff) & SEES_PERSONAL_DATA)


def audit(archives: list[CustomerArchive], *, staff: Staff | None, kind: str, address: str = "") -> None:
    """One row per classified archive read (and per reveal, classified or not)."""
    if staff is None:
        return
    rows = [
        ReadAudit(archive=a, staff=staff, kind=kind, level=a.confidentiality, address=address[:45])
        for a in archives
        if a is not None and (a.confidentiality or kind == ReadAudit.Kind.REVEAL)
    ]
    if rows:
        ReadAudit.objects.bulk_create(rows)


def mask(value: str) -> str:
    """``13812345678`` → ``138****5678``; a text → its first character and stars."""
    if not value:
        return value
    digits = sum(c.isdigit() for c in value)
    if digits >= 7:
        return value[:3] + "*" * max(4, len(value) - 7) + value[-4:]
    return value[:1] + "*" * min(8, max(2, len(value) - 1))


def set_level(*, archive: CustomerArchive, by: Staff | None, level: str, reason: str) -> CustomerArchive:
    from kesu.archive import services
    from kesu.archive.models import ArchiveChange

    if by is None or not roles(by) & CLASSIFIERS:
        raise NotAllowed(
            _("Only the CS director, a vice president or the general manager set a confidentiality level.")
        )
    if level not in Confidentiality.values:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            {
                "level": [
                    _("Choose one of: %(values)s")
                    % {"values": ", ".join(v or '""' for v in Confidentiality.values)}
                ]
            }
        )
    why = services.clean_text("reason", reason, required=True, max_length=services.limits.HANDLING_TEXT)
    if level == Confidentiality.TOP_SECRET and not roles(by) & LEADERSHIP:
        raise NotAllowed(_("Only a vice president or the general manager classify an archive top secret."))
    if archive.confidentiality != level:
        ArchiveChange.objects.create(
            archive=archive,
            field="confidentiality",
            old=archive.confidentiality,
            new=level,
            by=by,
            reason=why,
        )
        archive.confidentiality = level
        archive.save(update_fields=["confidentiality"])
    return archive


def grant(*, archive: CustomerArchive, by: Staff | None, staff: Staff) -> ArchiveGrant:
    from kesu.archive.models import ArchiveChange

    level = archive.confidentiality or Confidentiality.SECRET
    if by is None or not roles(by) & NAMERS[level]:
        raise NotAllowed(_("You may not name people who may know this archive."))
    found, created = ArchiveGrant.objects.get_or_create(
        archive=archive, staff=staff, defaults={"granted_by": by}
    )
    if created:
        ArchiveChange.objects.create(
            archive=archive,
            field="may_know",
            old=None,
            new=staff.display_name,
            by=by,
            reason=_("Named to know the archive"),
        )
    return found


def record_complaint_reads(staff: Staff | None, complaints: Any, kind: str) -> None:
    """Registered with complaints (``registry.register_read_recorder``): one audit row per read of
    a classified customer's complaint — its page, API answer, attachment or printed form — and one
    per classified customer's complaint in an export; from where: the request's address
    (``kesu.archive.middleware``). One query, none when no complaint has a customer."""
    from kesu.archive.middleware import current_address

    if staff is None:
        return
    if isinstance(complaints, list):
        customer_ids = {c.customer_id for c in complaints if c.customer_id is not None}
        if not customer_ids:
            return
        pairs = [(c.customer_id, c.number) for c in complaints if c.customer_id is not None]
        classified = dict(
            CustomerArchive.objects.filter(pk__in=customer_ids)
            .exclude(confidentiality="")
            .values_list("pk", "confidentiality")
        )
    else:
        rows = (
            complaints.order_by()
            .filter(customer__archive__isnull=False)
            .exclude(customer__archive__confidentiality="")
            .values_list("customer_id", "number", "customer__archive__confidentiality")
        )
        classified, pairs = {}, []
        for customer_id, number, level in rows:
            classified[customer_id] = level
            pairs.append((customer_id, number))
    audit_kind = ReadAudit.Kind.EXPORT if kind == "export" else ReadAudit.Kind.COMPLAINT
    address = current_address()[:45]
    found = [
        ReadAudit(
            archive_id=customer_id,
            staff=staff,
            kind=audit_kind,
            level=classified[customer_id],
            complaint_number=number,
            address=address,
        )
        for customer_id, number in pairs
        if customer_id in classified
    ]
    if found:
        ReadAudit.objects.bulk_create(found)

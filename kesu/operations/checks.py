"""`kesu check --deploy` adds these to Django's deploy checklist."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database, deploy=True)
def check_rule_book(app_configs, databases=None, **kwargs):
    from kesu.organization.models import Role, Staff
    from kesu.rulebook.models import RuleBook

    problems = []
    try:
        if not RuleBook.objects.exists():
            problems.append(
                Error("No rule book loaded.", hint="Run `kesu migrate` (loads KESU_PRESET).", id="kesu.E001")
            )
        directors = Staff.objects.filter(role_assignments__role=Role.CS_DIRECTOR, deputy__isnull=True)
        for director in directors:
            problems.append(
                Warning(
                    f"CS director {director} has no deputy (DOMAIN §1: the director must name one).",
                    hint="Set a deputy in the admin: Organization › Staff.",
                    id="kesu.W001",
                )
            )
    except DatabaseError:
        problems.append(Error("The database is not migrated.", hint="Run `kesu migrate`.", id="kesu.E002"))
    return problems


@register(Tags.security, deploy=True)
def check_production_database(app_configs, **kwargs):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return [
            Warning(
                "SQLite is the embedded default; production runs on PostgreSQL.",
                hint="Set KESU_DATABASE_URL=postgres://…",
                id="kesu.W002",
            )
        ]
    return []

"""`kesu token create USERNAME [--name NAME] [--expires-in DAYS | --expires YYYY-MM-DD]` ·
`kesu token revoke ksu_PREFIX` · `kesu token list [USERNAME]`.

The token is printed once, alone on stdout (so ``TOKEN=$(kesu token create clerk)`` works);
only its SHA-256 is stored. ``--expires 2027-06-30`` keeps the token valid through that day (in
KESU_TIME_ZONE); ``--expires-in 90`` for 90 days from now. Without either it does not expire.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kesu.organization.models import ApiToken, Staff
from kesu.organization.services import issue_token, revoke_token

# ApiToken.prefix: the 8 characters after "ksu_". They may start with "-", so the CLI shows and
# takes them with the "ksu_" in front (``kesu token revoke ksu_-AbC1234``), which argparse accepts.
PREFIX_LENGTH = 8


def _days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {raw!r}") from None
    if not 1 <= days <= 36500:
        raise argparse.ArgumentTypeError(f"must be between 1 and 36500 days, not {days}")
    return days


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {raw!r}") from None


class Command(BaseCommand):
    help = "Issue, revoke and list API tokens (Authorization: Bearer …)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="create|revoke|list")
        create = commands.add_parser("create", help="Issue a token for a staff member; printed once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for (e.g. 'ERP import').")
        expiry = create.add_mutually_exclusive_group()
        expiry.add_argument("--expires-in", type=_days, metavar="DAYS", help="Valid for DAYS days from now.")
        expiry.add_argument(
            "--expires", type=_day, metavar="YYYY-MM-DD", help="Valid through this day (KESU_TIME_ZONE)."
        )
        revoke = commands.add_parser("revoke", help="Revoke a token by its prefix (as `list` shows it).")
        revoke.add_argument(
            "prefix", help="The token's start as `list` shows it (ksu_ and 8 characters), or the whole token."
        )
        listing = commands.add_parser("list", help="List tokens (never the tokens themselves).")
        listing.add_argument("username", nargs="?", help="Only this user's tokens.")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["subcommand"]:
            case "create":
                self.create(options["username"], options["name"], self.expiry(options))
            case "revoke":
                self.revoke(options["prefix"])
            case "list":
                self.list_tokens(options["username"])

    @staticmethod
    def expiry(options: dict[str, Any]) -> datetime | None:
        if options["expires_in"] is not None:
            return timezone.now() + timedelta(days=options["expires_in"])
        if options["expires"] is not None:
            end = timezone.make_aware(datetime.combine(options["expires"] + timedelta(days=1), time.min))
            if end <= timezone.now():
                raise CommandError(f"--expires {options['expires']} is in the past.")
            return end
        return None

    def create(self, username: str, name: str, expires_at: datetime | None) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        staff = Staff.objects.filter(user=user).first()
        if staff is None:
            raise CommandError(
                f"User {username!r} is not a staff member: add a Staff record (department, roles) in the admin first."
            )
        row, token = issue_token(staff=staff, name=name, expires_at=expires_at)
        self.stdout.write(token)
        until = f", valid until {timezone.localtime(expires_at):%Y-%m-%d %H:%M}" if expires_at else ""
        self.stderr.write(f"Token ksu_{row.prefix}… for {username}{until}: shown only now, store it safely.")

    def revoke(self, prefix: str) -> None:
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        if prefix.startswith("ksu_") and len(prefix) > len("ksu_") + PREFIX_LENGTH:
            tokens = tokens.filter(digest=ApiToken.digest_of(prefix))  # the whole token
        else:
            tokens = tokens.filter(prefix=prefix.removeprefix("ksu_"))
        found = list(tokens.select_related("staff__user")[:2])
        if not found:
            raise CommandError(f"No active token with prefix {prefix!r}.")
        if len(found) > 1:
            raise CommandError(f"Several active tokens start with {prefix!r}: give the whole token.")
        row = found[0]
        revoke_token(token=row, by="kesu token revoke")
        self.stdout.write(f"Revoked ksu_{row.prefix}… ({row.staff.user.get_username()}).")

    def list_tokens(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("staff__user").order_by("created_at", "pk")
        if username:
            tokens = tokens.filter(staff__user__username=username)
        now = timezone.now()
        for row in tokens:
            if row.revoked_at:
                state = f"revoked {timezone.localtime(row.revoked_at):%Y-%m-%d %H:%M}"
            elif row.expires_at and row.is_expired(now):
                state = f"expired {timezone.localtime(row.expires_at):%Y-%m-%d %H:%M}"
            elif row.expires_at:
                state = f"expires {timezone.localtime(row.expires_at):%Y-%m-%d %H:%M}"
            else:
                state = "active"
            used = (
                timezone.localtime(row.last_used_at).strftime("%Y-%m-%d %H:%M")
                if row.last_used_at
                else "never"
            )
            self.stdout.write(
                f"ksu_{row.prefix}  {row.staff.user.get_username():<20} {state:<24} last used {used}  {row.name}"
            )

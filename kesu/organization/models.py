"""The company: departments (a tree), positions, staff with roles, deputies, API tokens.

One deployment serves one company, so there is no tenant key anywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do in the complaint process. A person may hold several roles."""

    DESK_CLERK = "desk_clerk", _("Desk clerk")  # 客服专员
    CS_DIRECTOR = "cs_director", _("Customer-service director")  # 客服主任
    HANDLER = "handler", _("Handler")  # 处理人
    DEPARTMENT_HEAD = "department_head", _("Department head")  # 部门负责人
    VICE_PRESIDENT = "vice_president", _("Vice president")  # 副总经理
    GENERAL_MANAGER = "general_manager", _("General manager")  # 总经理
    AUDITOR = "auditor", _("Auditor")  # 审计
    ADMINISTRATOR = "administrator", _("Administrator")  # 系统管理员


class Department(models.Model):
    """A unit of the company; departments form a tree (部门)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    is_customer_service = models.BooleanField(
        _("customer-service department"),
        default=False,
        help_text=_("The one window (客服部) that registers every complaint."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("A department cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent


class Position(models.Model):
    """A post in a department (岗位), named on the transfer slip."""

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="positions", verbose_name=_("department")
    )

    class Meta:
        ordering = ["department__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="position_unique_per_department")
        ]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return f"{self.department.name} / {self.name}"


class Staff(models.Model):
    """A person of the company who signs in (员工). Wraps Django's user with department and roles."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    display_name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("position"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    deputy = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="principals",
        verbose_name=_("deputy"),
        help_text=_("Acts for this person while absent (代理人). The CS director must have one."),
    )
    absent_from = models.DateTimeField(_("absent from"), null=True, blank=True)
    absent_until = models.DateTimeField(_("absent until"), null=True, blank=True)

    class Meta:
        ordering = ["department__code", "display_name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.deputy_id is not None and self.deputy_id == self.pk:
            raise ValidationError({"deputy": _("A person cannot be their own deputy.")})
        if self.absent_from and self.absent_until and self.absent_until <= self.absent_from:
            raise ValidationError({"absent_until": _("The absence must end after it starts.")})
        if self.absent_from and self.deputy_id is None:
            raise ValidationError({"deputy": _("Name a deputy before recording an absence.")})

    @property
    def roles(self) -> frozenset[str]:
        """The roles this person holds (cached on the instance; prefetch ``role_assignments``)."""
        if not hasattr(self, "_roles"):
            self._roles = frozenset(a.role for a in self.role_assignments.all())
        return self._roles

    def is_absent(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        if self.absent_from is None or self.absent_from > at:
            return False
        return self.absent_until is None or at < self.absent_until


class RoleAssignment(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="role_assignment_unique")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: the token does not expire.")
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.staff})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(
        cls, *, staff: Staff, name: str = "", expires_at: datetime | None = None
    ) -> tuple[ApiToken, str]:
        token = "ksu_" + secrets.token_urlsafe(32)
        return cls.objects.create(
            staff=staff, name=name, prefix=token[4:12], digest=cls.digest_of(token), expires_at=expires_at
        ), token

    def is_expired(self, at: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (at or timezone.now())


class ThrottleScope(models.TextChoices):
    LOGIN_ACCOUNT = "login_account", _("sign-in, per account")
    LOGIN_ADDRESS = "login_address", _("sign-in, per address")
    TOKEN_ADDRESS = "token_address", _("API token, per address")


class AuthFailure(models.Model):
    """Failed sign-ins or token authentications counted per account or per client address, and
    the lock-out they caused (登录失败锁定). Rows live in the database so that every worker process
    of the site counts together; kesu.organization.throttle reads and writes them. Deleting a row
    lifts its lock-out."""

    scope = models.CharField(_("what"), max_length=20, choices=ThrottleScope.choices)
    key = models.CharField(_("account or address"), max_length=150)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("first failure"), default=timezone.now)
    last_failure_at = models.DateTimeField(_("last failure"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="auth_failure_unique")]
        indexes = [models.Index(fields=["last_failure_at"], name="auth_failure_last")]
        ordering = ["-last_failure_at"]
        verbose_name = _("sign-in lock-out")
        verbose_name_plural = _("sign-in lock-outs")

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.key}"

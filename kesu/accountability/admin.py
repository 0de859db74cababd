"""The admin: the rule book's assessment rules, scorecards and settings, and people's base points
and bonuses, are configuration (editable); the months, their lines, findings, appeals and the late
clocks' holders are history, shown read-only — they change only through the services, and a
locked month never (the models refuse it too)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kesu.accountability.models import (
    Appeal,
    AssessmentMonth,
    AssessmentSettings,
    ClockLateness,
    DepartmentReview,
    Finding,
    MonthStatus,
    Rule,
    Scorecard,
    ScorecardSection,
    SheetLine,
    StaffTerms,
)
from kesu.core.admin import HistoryAdmin


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "fact",
        "cost",
        "amount",
        "target",
        "is_bonus",
        "max_per_month",
        "is_active",
    ]
    list_filter = ["fact", "cost", "target", "is_bonus", "is_active"]
    search_fields = ["code", "name", "source"]


class SectionInline(admin.TabularInline):
    model = ScorecardSection
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "max_points"]
    inlines = [SectionInline]


@admin.register(AssessmentSettings)
class AssessmentSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "draft_day",
        "bonus_cap_percent",
        "appeal_days",
        "appeal_decider",
        "department_review",
    ]


@admin.register(StaffTerms)
class StaffTermsAdmin(admin.ModelAdmin):
    """Base points and bonuses from a month on. A month already locked keeps the terms it used:
    rows effective in or before a locked month cannot be changed or deleted here."""

    list_display = ["staff", "effective_month", "base_points", "monthly_bonus"]
    list_filter = ["effective_month"]
    search_fields = ["staff__display_name", "staff__user__username"]

    def _locked(self, obj: StaffTerms | None) -> bool:
        return obj is not None and (
            AssessmentMonth.objects.filter(month__gte=obj.effective_month)
            .exclude(status=MonthStatus.DRAFT)
            .exists()
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not self._locked(obj)


@admin.register(SheetLine)
class SheetLineAdmin(HistoryAdmin):
    list_display = [
        "month",
        "position",
        "staff",
        "department",
        "rule",
        "complaint",
        "yuan",
        "points",
        "arithmetic",
    ]
    list_filter = ["month"]
    list_select_related = ["month", "staff", "department", "rule", "complaint"]


@admin.register(AssessmentMonth)
class AssessmentMonthAdmin(HistoryAdmin):
    list_display = ["month", "status", "drafted_at", "approved_by", "approved_at", "published_at"]
    list_filter = ["status"]


@admin.register(Finding)
class FindingAdmin(HistoryAdmin):
    list_display = ["month", "rule", "staff", "department", "count", "recorded_by", "recorded_at"]


@admin.register(Appeal)
class AppealAdmin(HistoryAdmin):
    list_display = ["line", "filed_by", "filed_at", "state", "decided_by", "applied_in"]
    list_filter = ["state"]


@admin.register(ClockLateness)
class ClockLatenessAdmin(HistoryAdmin):
    list_display = ["complaint", "kind", "due_at", "staff", "department", "capacity", "noted_at"]
    list_filter = ["capacity", "kind"]


@admin.register(DepartmentReview)
class DepartmentReviewAdmin(HistoryAdmin):
    list_display = ["month", "department", "state", "reviewed_by", "reviewed_at", "is_current"]
    list_filter = ["state", "is_current"]

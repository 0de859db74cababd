"""The dashboard's charts as data for Apache ECharts (drawn by statistics/dashboard.js).

Each chart is a title, the category axis (the groups), its series, and for every data point the
address of the complaints behind it (a click drills down). Labels are translated here, so the
charts read in the user's language; the script only draws.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from kesu.statistics.selectors import Row, Statistics


def _url(drill_url: str, query: str, measure: str, key: str | None) -> str:
    extra = {"measure": measure} | ({"key": key} if key is not None else {})
    return f"{drill_url}?{query}&{urlencode(extra)}"


def _series(
    rows: list[Row],
    name: str,
    measure: str | None,
    value,
    drill_url: str,
    query: str,
    kind: str = "bar",
    **extra: Any,
) -> dict[str, Any]:
    data = []
    for row in rows:
        point: dict[str, Any] = {"value": value(row)}
        if measure is not None:
            point["url"] = _url(drill_url, query, measure, row.key)
        data.append(point)
    return {"name": name, "type": kind, "data": data, **extra}


def _rounded(value: float | None, places: int = 1) -> float | None:
    return round(value, places) if value is not None else None


def chart_data(stats: Statistics, *, drill_url: str, query: str) -> list[dict[str, Any]]:
    rows = stats.rows
    groups = [row.label for row in rows]
    charts: list[dict[str, Any]] = [
        {
            "id": "volume",
            "title": _("Received, closed, open and overdue"),
            "groups": groups,
            "series": [
                _series(rows, _("received"), "received", lambda r: r.received, drill_url, query),
                _series(rows, _("closed"), "closed", lambda r: r.closed, drill_url, query),
                _series(rows, _("open"), "open", lambda r: r.open, drill_url, query),
                _series(rows, _("overdue"), "overdue", lambda r: r.overdue, drill_url, query),
            ],
        },
        {
            "id": "change",
            "title": _("Received and the change against the previous month or period"),
            "groups": groups,
            "series": [
                _series(rows, _("received"), "received", lambda r: r.received, drill_url, query),
                _series(rows, _("previous"), None, lambda r: r.previous_received, drill_url, query),
                _series(
                    rows,
                    _("change (%)"),
                    None,
                    lambda r: _rounded(r.change and r.change * 100),
                    drill_url,
                    query,
                    kind="line",
                    yAxisIndex=1,
                ),
            ],
            "percent_axis": True,
        },
        {
            "id": "upheld",
            "title": _("Upheld and not upheld (approved decisions)"),
            "groups": groups,
            "series": [
                _series(rows, _("upheld"), "upheld", lambda r: r.upheld, drill_url, query, stack="decided"),
                _series(
                    rows,
                    _("not upheld"),
                    "not_upheld",
                    lambda r: r.not_upheld,
                    drill_url,
                    query,
                    stack="decided",
                ),
                _series(rows, _("secondary"), "secondary", lambda r: r.secondary, drill_url, query),
            ],
        },
        {
            "id": "satisfaction",
            "title": _("Satisfaction of the complaints closed"),
            "groups": groups,
            "series": [
                _series(
                    rows, label, measure, lambda r, m=measure: getattr(r, m), drill_url, query, stack="rated"
                )
                for measure, label in (
                    ("satisfied", _("satisfied")),
                    ("neutral", _("neutral")),
                    ("unsatisfied", _("unsatisfied")),
                )
            ],
        },
        {
            "id": "handling",
            "title": _("Handling time to the final reply (hours)"),
            "groups": groups,
            "series": [
                _series(rows, _("average"), "replied", lambda r: _rounded(r.average_hours), drill_url, query),
                _series(rows, _("median"), "replied", lambda r: _rounded(r.p50_hours), drill_url, query),
                _series(
                    rows, _("90th percentile"), "replied", lambda r: _rounded(r.p90_hours), drill_url, query
                ),
            ],
            "target": stats.target_hours,
            "target_label": _("target"),
        },
    ]
    on_time_series = []
    for kind, label in stats.kinds:
        on_time_series.append(
            _series(
                rows,
                label,
                f"late:{kind}",
                lambda r, kind=kind: (
                    _rounded(r.clocks[kind].rate * 100)
                    if kind in r.clocks and r.clocks[kind].rate is not None
                    else None
                ),
                drill_url,
                query,
            )
        )
    charts.append(
        {
            "id": "on_time",
            "title": _("On-time rate per time limit (%)"),
            "groups": groups,
            "series": on_time_series,
        }
    )
    charts.append(
        {
            "id": "bearers",
            "title": _("Who bears the losses (CNY)"),
            "pie": [
                {
                    "name": bearer.label,
                    "value": float(bearer.amount),
                    "url": _url(drill_url, query, "bearer", bearer.key),
                }
                for bearer in stats.bearers
            ],
        }
    )
    return charts

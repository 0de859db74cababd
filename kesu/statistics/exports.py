"""Large Excel exports in the worker (大批量导出): a link that would write more than
``KESU_EXPORT_IMMEDIATE_ROWS`` rows does not write them in the request (100 000 rows take ~40 s,
longer than a proxy waits) but queues an ExportJob; the worker (huey task ``statistics.export``)
writes the workbook, counting its progress, into the exports folder of the data dir; the requester —
and only the requester — downloads it from the exports page until ``KESU_EXPORT_KEEP_HOURS`` have
passed; then the hourly ``statistics.purge_exports`` deletes the file and the row.

Scope: the job keeps the filters (the page's query string), never a list of complaints; the worker
lists the complaints the requester may see when it runs (``complaints_visible_to`` through the list's
and the drill-down's own selectors), so a job cannot show more than its requester sees.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from kesu.complaints import registry
from kesu.complaints.forms import ListFilterForm
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaints_visible_to
from kesu.core import limits
from kesu.organization.models import Staff
from kesu.statistics import excel
from kesu.statistics.forms import DrillForm
from kesu.statistics.models import ExportJob, ExportKind, ExportState
from kesu.statistics.selectors import StatisticsError, drill

log = logging.getLogger(__name__)


def exports_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def immediate_rows() -> int:
    """Up to this many rows an export is written in the request (documented setting)."""
    return settings.KESU_EXPORT_IMMEDIATE_ROWS


def _errors(form: Any) -> ValidationError:
    return ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})


def exported(*, staff: Staff | None, kind: str, query: str) -> QuerySet[Complaint]:
    """The complaints an export of ``kind`` with ``query`` (the page's query string) lists, as
    ``staff`` may see them now; ValidationError (by field) for bad filters."""
    from kesu.complaints.views import listed_complaints  # the list's own filters and order

    data = QueryDict(query)
    if kind == ExportKind.COMPLAINTS:
        form = ListFilterForm(data)
        if not form.is_valid():
            raise _errors(form)
        return listed_complaints(staff, form.cleaned_data)
    if kind == ExportKind.DRILL:
        drill_form = DrillForm(data)
        if not drill_form.is_valid():
            raise _errors(drill_form)
        try:
            return drill(
                view=drill_form.cleaned_data["view"],
                complaints=complaints_visible_to(staff=staff),
                measure=drill_form.cleaned_data["measure"],
                key=drill_form.cleaned_data["key"] or None,
            )
        except StatisticsError as error:
            raise ValidationError({error.field: [str(error.message)]}) from error
    raise ValidationError({"kind": [_("Choose one of: %s") % ", ".join(ExportKind.values)]})


def start_export(*, staff: Staff, kind: str, query: str) -> ExportJob:
    """Queue an export for the worker (validating the filters first: nothing is queued for bad
    ones). The job is handed to the worker once it commits."""
    if len(query) > limits.SAVED_FILTER_QUERY:
        raise ValidationError({"query": [_("At most %d characters.") % limits.SAVED_FILTER_QUERY]})
    exported(staff=staff, kind=kind, query=query)  # raises for bad filters
    job = ExportJob.objects.create(
        requester=staff, kind=kind, query=query, language=translation.get_language() or settings.LANGUAGE_CODE
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from kesu.statistics.tasks import build_export_task

    try:
        build_export_task(job_id)
    except (RedisError, sqlite3.Error, OSError):  # the queue's storage is down: say so on the job
        log.exception("could not enqueue export %s", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportState.FAILED, error=_("The worker could not be reached; try again later.")
        )


def build_export(*, job_id: int, now: datetime | None = None) -> ExportJob | None:
    """The worker's part: write the job's workbook, counting progress every chunk of rows. A job
    that is not queued (done, failed, already running in another worker) is left alone."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(state=ExportState.RUNNING)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("requester").get(pk=job_id)
    stored_as = f"{uuid.uuid4().hex}.xlsx"
    path = exports_dir() / stored_as
    try:
        with translation.override(job.language):
            complaints = exported(staff=job.requester, kind=job.kind, query=job.query)
            registry.record_read(job.requester, complaints, kind="export")  # kesu.archive's audit
            total = complaints.count()
            ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

            def progress(done: int) -> None:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

            rows = excel.complaints_file(complaints, path, progress=progress)
    except (ValidationError, OSError) as error:
        path.unlink(missing_ok=True)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED, error=message[:500])
        log.warning("export %s failed: %s", job.pk, message)
        return ExportJob.objects.get(pk=job.pk)
    now = now or timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.DONE,
        rows_done=rows,
        rows_total=F("rows_total") if rows <= total else rows,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.KESU_EXPORT_KEEP_HOURS),
        stored_as=stored_as,
        size=path.stat().st_size,
        filename=f"{job.kind}-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx",
    )
    return ExportJob.objects.get(pk=job.pk)


def exports_of(*, staff: Staff | None) -> QuerySet[ExportJob]:
    """The requester's own exports, newest first (nobody sees another's)."""
    if staff is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requester=staff)


def downloadable(*, staff: Staff | None, job_id: int, now: datetime | None = None) -> tuple[ExportJob, Path]:
    """The requester's finished, unexpired export and its file; ExportJob.DoesNotExist otherwise
    (another person's export is as absent as one that never was)."""
    job = exports_of(staff=staff).get(pk=job_id)
    path = exports_dir() / job.stored_as if job.stored_as else None
    if job.state != ExportState.DONE or job.is_expired(now) or path is None or not path.is_file():
        raise ExportJob.DoesNotExist
    return job, path


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete the expired exports, file and row (the worker, hourly); also the files of jobs that
    failed or never finished a day after they were asked for. Idempotent."""
    now = now or timezone.now()
    stale = ExportJob.objects.filter(expires_at__lte=now) | ExportJob.objects.filter(
        expires_at__isnull=True, requested_at__lte=now - timedelta(hours=settings.KESU_EXPORT_KEEP_HOURS)
    )
    removed = 0
    for job in stale:
        if job.stored_as:
            (exports_dir() / job.stored_as).unlink(missing_ok=True)
        job.delete()
        removed += 1
    return removed

from django.urls import path, register_converter
from django.urls.converters import IntConverter

from kesu.complaints import views


class IdConverter(IntConverter):
    """A database id: at most the integer column's maximum, so SQLite never sees a number it
    cannot hold (an OverflowError, a 500); a larger one names nothing (404)."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > 2_147_483_647:
            raise ValueError(value)
        return number


register_converter(IdConverter, "id")

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/saved-filters/", views.saved_filter_add, name="saved-filter-add"),
    path(
        "complaints/saved-filters/<id:filter_id>/delete/",
        views.saved_filter_delete,
        name="saved-filter-delete",
    ),
    path(
        "complaints/bulk/approve-transfers/",
        views.bulk_approve_transfers,
        name="complaint-bulk-approve-transfers",
    ),
    path("complaints/<str:number>/", views.complaint_detail, name="complaint-detail"),
    path("complaints/<str:number>/actions/<slug:action>/", views.complaint_action, name="complaint-action"),
    path(
        "complaints/<str:number>/actions/<slug:action>/form/",
        views.complaint_action_form,
        name="complaint-action-form",
    ),
    path("complaints/<str:number>/attachments/", views.attachment_add, name="complaint-attach"),
    path(
        "complaints/<str:number>/attachments/<id:attachment_id>/",
        views.attachment_download,
        name="complaint-attachment",
    ),
    path(
        "complaints/<str:number>/attachments/<id:attachment_id>/thumbnail/",
        views.attachment_thumbnail,
        name="complaint-attachment-thumbnail",
    ),
]

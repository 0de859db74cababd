# Complaint.next_due_at for the complaints that existed before it: the earliest due time of each
# complaint's running clocks (kesu.deadlines.clocks.sync_next_due keeps it from then on).

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ComplaintClock = apps.get_model("deadlines", "ComplaintClock")
    db = schema_editor.connection.alias
    running = ComplaintClock.objects.using(db).filter(state="running", due_at__isnull=False)
    earliest = running.filter(complaint=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    Complaint.objects.using(db).filter(pk__in=running.values("complaint_id")).update(
        next_due_at=Subquery(earliest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_next_due_at"),
        ("deadlines", "0002_time_limits"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

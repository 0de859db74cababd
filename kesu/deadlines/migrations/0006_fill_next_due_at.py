# Complaint.next_due_at for the complaints that existed before it: the earliest due time of each
# complaint's running clocks (kesu.deadlines.clocks.sync_next_due keeps it from then on).

from django.db import migrations
from django.db.models import Min

BATCH = 1000


def fill(apps, schema_editor):
    """One grouped pass over the running clocks, then batched updates. (A correlated subquery per
    complaint would, on SQLite without statistics, read every running clock for each complaint.)"""
    Complaint = apps.get_model("complaints", "Complaint")
    ComplaintClock = apps.get_model("deadlines", "ComplaintClock")
    db = schema_editor.connection.alias
    earliest = (
        ComplaintClock.objects.using(db)
        .filter(state="running", due_at__isnull=False)
        .order_by()
        .values_list("complaint_id")
        .annotate(next_due=Min("due_at"))
    )
    table, column = Complaint._meta.db_table, Complaint._meta.get_field("next_due_at").column
    quote = schema_editor.quote_name
    # Plain executemany: bulk_update's CASE … WHEN per batch costs seconds per thousand rows.
    sql = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s"
    connection = schema_editor.connection
    adapt = connection.ops.adapt_datetimefield_value
    batch = []
    with connection.cursor() as cursor:
        for complaint_id, next_due in earliest.iterator(chunk_size=BATCH):
            batch.append((adapt(next_due), complaint_id))
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        cursor.executemany(sql, batch)

class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_next_due_at"),
        ("deadlines", "0002_time_limits"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

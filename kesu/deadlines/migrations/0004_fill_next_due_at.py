# Complaint.next_due_at for the complaints that existed before it: the earliest due time of each
# complaint's running clocks (kesu.deadlines.clocks.sync_next_due keeps it from then on).

from django.db import migrations
from django.db.models import Min

BATCH = 1000


def fill(apps, schema_editor):
    """One grouped pass over the running clocks. (A correlated subquery per complaint would, on
    SQLite without statistics, read every running clock for each complaint.)"""
    Complaint = apps.get_model("complaints", "Complaint")
    ComplaintClock = apps.get_model("deadlines", "ComplaintClock")
    connection = schema_editor.connection
    earliest = (
        ComplaintClock.objects.using(connection.alias)
        .filter(state="running", due_at__isnull=False)
        .order_by()
        .values_list("complaint_id")
        .annotate(next_due=Min("due_at"))
    )
    quote = schema_editor.quote_name
    table, column = quote(Complaint._meta.db_table), quote(Complaint._meta.get_field("next_due_at").column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one UPDATE … FROM the grouped clocks
            sql, params = earliest.query.sql_with_params()
            cursor.execute(
                f"UPDATE {table} SET {column} = earliest.next_due FROM ({sql}) AS earliest"
                f" WHERE {table}.id = earliest.complaint_id",
                params,
            )
            return
        # SQLite: executemany in process (bulk_update's CASE … WHEN costs seconds per 1 000 rows).
        update = f"UPDATE {table} SET {column} = %s WHERE id = %s"
        adapt = connection.ops.adapt_datetimefield_value
        batch = []
        for complaint_id, next_due in earliest.iterator(chunk_size=BATCH):
            batch.append((adapt(next_due), complaint_id))
            if len(batch) == BATCH:
                cursor.executemany(update, batch)
                batch = []
        cursor.executemany(update, batch)

class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_next_due_at"),
        ("deadlines", "0003_text_limits"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

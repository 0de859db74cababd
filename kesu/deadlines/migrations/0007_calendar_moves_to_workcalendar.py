# The working calendar's models moved to the app kesu.workcalendar, keeping their tables
# (db_table = "deadlines_…"): here they leave this app's state only; no table is touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("deadlines", "0006_targets_caps_markets"),
        ("workcalendar", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="CalendarRevision"),
                migrations.DeleteModel(name="CalendarYear"),
                migrations.DeleteModel(name="WorkingHours"),
            ],
            database_operations=[],
        ),
    ]

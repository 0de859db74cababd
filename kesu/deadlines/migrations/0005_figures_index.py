"""The figures' on-time rate by month is answered from one index (state, due time, stop time)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0002_time_limits"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaintclock",
            index=models.Index(fields=["state", "due_at", "stopped_at"], name="clock_figures_idx"),
        ),
    ]

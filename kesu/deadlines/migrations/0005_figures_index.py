"""The figures' on-time rate by month is answered from one index (state, due time, stop time)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0004_fill_next_due_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaintclock",
            index=models.Index(fields=["state", "due_at", "stopped_at"], name="clock_figures_idx"),
        ),
    ]

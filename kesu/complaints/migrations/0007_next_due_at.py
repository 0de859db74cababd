# The earliest due time of a complaint's running clocks, kept on the complaint (the workbench sorts
# on it; filled for existing complaints by deadlines 0006), and a partial index for secondary complaints.

import django.db.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_append_only_timeline"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="next_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="next due"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=django.db.models.Q(("next_due_at__isnull", False)),
                fields=["next_due_at", "status"],
                name="complaint_next_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status", "next_due_at"], name="complaint_status_due_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=django.db.models.Q(("parent__isnull", False)),
                fields=["parent"],
                name="complaint_secondary_idx",
            ),
        ),
    ]

import uuid

from django.db import migrations, models


def first_token(apps, schema_editor):
    RuleBookRevision = apps.get_model("rulebook", "RuleBookRevision")
    RuleBookRevision.objects.using(schema_editor.connection.alias).update_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex}
    )


class Migration(migrations.Migration):
    dependencies = [("rulebook", "0002_recusal_substitutes")]

    operations = [
        migrations.CreateModel(
            name="RuleBookRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(default="", max_length=32)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]

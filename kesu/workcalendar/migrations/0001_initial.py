# The working calendar's models, moved here from kesu.deadlines with their tables and rows: the
# tables keep their names (db_table = "deadlines_…"), so this migration only takes them into this
# app's state (deadlines 0007 lets them go), and renames their content types so that admin history
# and permissions follow them.

import datetime
import kesu.workcalendar.models
from django.db import migrations, models


MODELS = ["calendarday", "calendaryear", "workinghours", "calendarrevision"]


def _move_content_types(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def _content_types_here(apps, schema_editor):
    _move_content_types(apps, "deadlines", "workcalendar")


def _content_types_back(apps, schema_editor):
    _move_content_types(apps, "workcalendar", "deadlines")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0005_figures_index"),  # created the tables
    ]

    operations = [
        migrations.RunPython(_content_types_here, _content_types_back),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CalendarDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='date')),
                        ('is_working_day', models.BooleanField(verbose_name='working day')),
                        ('kind', models.CharField(choices=[('statutory_holiday', 'statutory holiday'), ('makeup_workday', 'make-up working day (调休补班)'), ('company_day_off', 'company day off'), ('company_workday', 'company working day')], max_length=20, verbose_name='kind')),
                        ('name', models.CharField(blank=True, help_text='e.g. 春节, 国庆节', max_length=100, verbose_name='name')),
                        ('source', models.CharField(choices=[('package', 'statutory calendar package'), ('admin', 'entered by an administrator')], default='admin', max_length=10, verbose_name='source')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'calendar day',
                'verbose_name_plural': 'calendar days',
                'db_table': 'deadlines_calendarday',
                'ordering': ['date'],
            },
        ),
        migrations.CreateModel(
            name='CalendarRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(default='', max_length=32)),
            ],
            options={
                'db_table': 'deadlines_calendarrevision',
            },
        ),
        migrations.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='year')),
                ('covered', models.BooleanField(default=True, verbose_name='covered')),
                ('source', models.CharField(choices=[('package', 'statutory calendar package'), ('admin', 'entered by an administrator')], default='admin', max_length=10, verbose_name='source')),
                ('note', models.CharField(blank=True, help_text='e.g. 国办发明电〔2026〕X号', max_length=200, verbose_name='note')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'calendar year',
                'verbose_name_plural': 'calendar years',
                'db_table': 'deadlines_calendaryear',
                'ordering': ['year'],
            },
        ),
        migrations.CreateModel(
            name='WorkingHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('time_zone', models.CharField(default=kesu.workcalendar.models._default_time_zone, max_length=64, verbose_name='time zone')),
                ('morning_start', models.TimeField(default=datetime.time(8, 30), verbose_name='morning starts')),
                ('morning_end', models.TimeField(default=datetime.time(12, 0), verbose_name='morning ends')),
                ('afternoon_start', models.TimeField(default=datetime.time(13, 0), verbose_name='afternoon starts')),
                ('afternoon_end', models.TimeField(default=datetime.time(17, 30), verbose_name='afternoon ends')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'working hours',
                'verbose_name_plural': 'working hours',
                'db_table': 'deadlines_workinghours',
            },
        ),
            ],
        ),
    ]

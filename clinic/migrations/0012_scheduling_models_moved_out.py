from django.db import migrations


class Migration(migrations.Migration):
    """The scheduling models now belong to the scheduling app (its 0001 took their
    tables over): removed from the clinic app's state only, no table is dropped."""

    dependencies = [
        ("clinic", "0011_break_the_glass_grants"),
        ("scheduling", "0001_take_over_clinic_tables"),
        ("sessions_log", "0004_note_visit_in_scheduling"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Reminder"),
                migrations.DeleteModel(name="Appointment"),
                migrations.DeleteModel(name="AppointmentSeries"),
                migrations.DeleteModel(name="Closure"),
                migrations.DeleteModel(name="TimeOff"),
                migrations.DeleteModel(name="WorkingHours"),
            ],
        ),
    ]

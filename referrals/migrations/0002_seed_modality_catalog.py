from django.db import migrations

# The techniques of rehabilitative massage (DESIGN.md, Modality catalog).
CATALOG = [
    (
        "muscle_testing",
        "Muscle testing",
        "Manual muscle testing to grade strength and find inhibition.",
    ),
    (
        "trigger_point",
        "Trigger point therapy",
        "Sustained pressure on hyperirritable spots in taut bands.",
    ),
    ("myofascial_release", "Myofascial release", "Slow sustained stretch of fascial restrictions."),
    (
        "positional_release",
        "Positional release",
        "Passive positioning of comfort to release tender points.",
    ),
    (
        "rehab_stretching",
        "Rehabilitative stretching",
        "Assisted and PNF stretching to restore range of motion.",
    ),
    (
        "neuromuscular",
        "Neuromuscular therapy",
        "Systematic pressure work on muscles and their attachments.",
    ),
]


def seed(apps, schema_editor):
    Modality = apps.get_model("referrals", "Modality")
    for code, name, description in CATALOG:
        Modality.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )


def unseed(apps, schema_editor):
    apps.get_model("referrals", "Modality").objects.filter(
        code__in=[c for c, _, _ in CATALOG]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

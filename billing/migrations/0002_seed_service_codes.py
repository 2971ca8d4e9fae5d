from django.db import migrations

# The CPT codes of rehabilitative massage and therapy (API.md, Billing): all
# timed, billed in 15-minute units.
SERVICE_CODES = [
    ("97124", "Massage, including effleurage, petrissage and/or tapotement", True),
    ("97140", "Manual therapy techniques (e.g. myofascial release), 1 or more regions", True),
    ("97112", "Neuromuscular reeducation of movement, balance, coordination", True),
    ("97110", "Therapeutic exercises to develop strength, endurance, range of motion", True),
    ("97530", "Therapeutic activities, direct patient contact, dynamic activities", True),
]
# Each modality's default code; muscle testing is not billed.
DEFAULT_MAPPING = {
    "trigger_point": "97140",
    "myofascial_release": "97140",
    "positional_release": "97140",
    "neuromuscular": "97140",
    "rehab_stretching": "97110",
    "muscle_testing": None,
}


def seed(apps, schema_editor):
    ServiceCode = apps.get_model("billing", "ServiceCode")
    ServiceMapping = apps.get_model("billing", "ServiceMapping")
    Modality = apps.get_model("referrals", "Modality")
    Payer = apps.get_model("billing", "Payer")
    for code, description, timed in SERVICE_CODES:
        ServiceCode.objects.update_or_create(
            code=code, defaults={"description": description, "timed": timed}
        )
    for modality, code in DEFAULT_MAPPING.items():
        if Modality.objects.filter(code=modality).exists():
            ServiceMapping.objects.update_or_create(
                modality_id=modality, payer=None, defaults={"service_code_id": code}
            )
    # the payer of a patient with no coverage valid on the service date
    if not Payer.objects.filter(kind="self_pay", is_active=True).exists():
        Payer.objects.create(name="Self-pay", kind="self_pay", unit_rule="ama")


def unseed(apps, schema_editor):
    apps.get_model("billing", "ServiceMapping").objects.filter(payer=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("referrals", "0002_seed_modality_catalog"),
    ]

    operations = [migrations.RunPython(seed, unseed)]

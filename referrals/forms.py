"""The referral and plan forms: typed fields through Django forms, the nested
clinical content (diagnoses, areas, goals) read from named inputs, and one
`data()` in the shape the services take."""

from django import forms

from clinic.forms import PageForm
from clinic.vocabulary import Measure, Region, Side

from . import icd10
from .models import Modality

SIDE_CHOICES = [("", "Not targeted")] + list(Side.choices)
GOAL_ROWS = 3


def modality_choices():
    return [(m.code, m.name) for m in Modality.objects.filter(is_active=True)]


class ReferralForm(PageForm):
    precautions = forms.CharField(
        label="Precautions and contraindications",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown at the top of every session note.",
    )
    visits_prescribed = forms.IntegerField(label="Visits", min_value=1, max_value=60)
    frequency_per_week = forms.IntegerField(label="Visits a week", min_value=1, max_value=7)
    valid_until = forms.DateField(
        label="Valid until", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    recommended_modalities = forms.MultipleChoiceField(
        label="Recommended modalities", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommended_modalities"].choices = modality_choices()
        source = self.data if self.is_bound else {}
        self.diagnosis_codes = _unique(source.getlist("diagnoses")) if source else []
        self.sides = {r: source.get(f"side_{r}", "") for r in Region.values} if source else {}

    def load(self, referral):
        """The form's nested parts from a saved referral (editing or renewing)."""
        self.diagnosis_codes = [d.code for d in referral.diagnoses.all()]
        self.sides = {a.region: a.side for a in referral.target_areas.all()}

    def nested(self) -> dict:
        return {
            "diagnoses": [{"code": code} for code in self.diagnosis_codes],
            "target_areas": [
                {"region": region, "side": side} for region, side in self.sides.items() if side
            ],
        }

    def data_for_service(self) -> dict:
        return {**self.cleaned_data, **self.nested()}

    def picked_diagnoses(self):
        described = icd10.descriptions(self.diagnosis_codes)
        return [
            {"code": code, "description": described.get(code, "")} for code in self.diagnosis_codes
        ]

    def area_rows(self):
        return [
            {"region": value, "label": label, "side": self.sides.get(value, "")}
            for value, label in Region.choices
        ]


def _unique(codes):
    seen, out = set(), []
    for code in codes:
        code = icd10.normalise(code)
        if code and code not in seen:
            seen.add(code)
            out.append(code)
    return out


def allowed_sides(targets) -> dict[str, list[str]]:
    """Per target region, the sides a plan may treat (a bilateral target covers either side)."""
    allowed: dict[str, list[str]] = {}
    for target in targets:
        sides = (
            [Side.LEFT, Side.RIGHT, Side.BILATERAL]
            if target.side == Side.BILATERAL
            else [target.side]
        )
        for side in sides:
            allowed.setdefault(target.region, [])
            if side not in allowed[target.region]:
                allowed[target.region].append(side)
    return allowed


class PlanForm(PageForm):
    frequency_per_week = forms.IntegerField(label="Visits a week", min_value=1, max_value=7)
    planned_visits = forms.IntegerField(label="Planned visits", min_value=1, max_value=60)
    start_date = forms.DateField(
        label="Start date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.targets = allowed_sides(referral.target_areas.all())
        self.modalities = modality_choices()
        source = self.data if self.is_bound else None
        recommended = [m.code for m in referral.recommended_modalities.all()]
        self.areas = {
            region: {
                "side": source.get(f"side_{region}", "") if source else "",
                "modalities": source.getlist(f"modalities_{region}") if source else recommended,
                "notes": source.get(f"notes_{region}", "") if source else "",
            }
            for region in self.targets
        }
        self.goals = [
            {
                "description": source.get(f"goal_description_{i}", "") if source else "",
                "measure": source.get(f"goal_measure_{i}", "") if source else "",
                "baseline": source.get(f"goal_baseline_{i}", "") if source else "",
                "target": source.get(f"goal_target_{i}", "") if source else "",
            }
            for i in range(GOAL_ROWS)
        ]

    def load(self, plan):
        for area in plan.areas.all():
            if area.region in self.areas:
                self.areas[area.region] = {
                    "side": area.side,
                    "modalities": [m.code for m in area.modalities.all()],
                    "notes": area.notes,
                }
        goals = list(plan.goals.all())[:GOAL_ROWS]
        for i, goal in enumerate(goals):
            self.goals[i] = {
                "description": goal.description,
                "measure": goal.measure,
                "baseline": f"{goal.baseline.normalize():f}",
                "target": f"{goal.target.normalize():f}",
            }

    def nested(self) -> tuple[dict, dict]:
        """The areas and goals, and the errors of goal numbers that do not parse."""
        errors: dict = {}
        areas = [
            {
                "region": region,
                "side": a["side"],
                "modalities": a["modalities"],
                "notes": a["notes"],
            }
            for region, a in self.areas.items()
            if a["side"]
        ]
        goals = []
        for goal in self.goals:
            if not any(goal.values()):
                continue
            try:
                baseline, target = float(goal["baseline"]), float(goal["target"])
            except ValueError:
                errors["goals"] = ["Each goal needs a baseline and a target number."]
                continue
            goals.append({**goal, "baseline": baseline, "target": target})
        return {"areas": areas, "goals": goals}, errors

    def area_rows(self):
        labels = dict(Region.choices)
        side_labels = dict(Side.choices)
        return [
            {
                "region": region,
                "label": labels[region],
                "sides": [(s, side_labels[s]) for s in sides],
                **self.areas[region],
            }
            for region, sides in self.targets.items()
        ]

    def measures(self):
        return Measure.choices

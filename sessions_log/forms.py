"""The session note form: big pain buttons, the plan's areas preselected, and
one `data()` in the shape `log_session` and `correct_session_note` take."""

from django import forms

from clinic.forms import PageForm
from referrals.forms import modality_choices

from .models import Response

PAIN = [(str(n), str(n)) for n in range(11)]
DEFAULT_MINUTES = 15


class NoteForm(PageForm):
    pain_before = forms.TypedChoiceField(
        label="Pain before (0 none, 10 worst)", choices=PAIN, coerce=int, widget=forms.RadioSelect
    )
    pain_after = forms.TypedChoiceField(
        label="Pain after", choices=PAIN, coerce=int, widget=forms.RadioSelect
    )
    response = forms.ChoiceField(
        label="Response", choices=Response.choices, widget=forms.RadioSelect
    )
    subjective = forms.CharField(
        label="S: Subjective", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    objective = forms.CharField(
        label="O: Objective", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment = forms.CharField(
        label="A: Assessment", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan_text = forms.CharField(
        label="P: Plan", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    adverse_reaction = forms.CharField(
        label="Adverse reaction (leave empty if none)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, plan_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.modalities = modality_choices()
        source = self.data if self.is_bound else None
        self.areas = []
        for i, area in enumerate(plan_areas):
            planned = [m.code for m in area.modalities.all()]
            self.areas.append(
                {
                    "index": i,
                    "region": area.region,
                    "side": area.side,
                    "label": f"{area.get_region_display()}, {area.get_side_display().lower()}",
                    "treated": (f"area_{i}" in source) if source else True,
                    "modalities": source.getlist(f"modalities_{i}") if source else planned,
                    "minutes": source.get(f"minutes_{i}", "") if source else DEFAULT_MINUTES,
                }
            )

    def load(self, note):
        """A saved note's areas over the plan's (the note may treat fewer)."""
        saved = {(a.region, a.side): a for a in note.areas.all()}
        for area in self.areas:
            done = saved.get((area["region"], area["side"]))
            area["treated"] = done is not None
            if done is not None:
                area["modalities"] = [m.code for m in done.modalities.all()]
                area["minutes"] = done.minutes

    def area_data(self) -> tuple[list[dict], dict]:
        areas, errors = [], {}
        for area in self.areas:
            if not area["treated"]:
                continue
            try:
                minutes = int(area["minutes"])
            except (TypeError, ValueError):
                errors["areas"] = ["Give the minutes spent on each treated area."]
                continue
            areas.append(
                {
                    "region": area["region"],
                    "side": area["side"],
                    "modalities": area["modalities"],
                    "minutes": minutes,
                }
            )
        return areas, errors

    def data_for_service(self) -> dict:
        areas, _ = self.area_data()
        return {**self.cleaned_data, "areas": areas}


class AddendumForm(PageForm):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))

"""The directory of outside physicians as a page for the staff (API.md, Outside
physicians and documents): find one by name, NPI, practice, email or fax, add
one, correct one. The door is referrals/access.py's `PHYSICIAN`, as the API's
(`/api/v1/physicians/`): a directory, not a clinical record, so its reads are
not audited (nor are the API's); additions and corrections are."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clinic.access import allowed
from clinic.errors import Invalid, NotAllowed
from clinic.forms import show_service_error
from referrals.access import PHYSICIAN
from referrals.models import OutsidePhysician
from referrals.physicians import add_physician, change_physician

from .forms import PhysicianForm

PAGE_SIZE = 50


def search_physicians(physicians, term: str):
    """Every word of `term` found in one of the searched fields."""
    for word in term.split():
        physicians = physicians.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(npi__startswith=word)
            | Q(practice__icontains=word)
            | Q(email__icontains=word)
            | Q(fax__icontains=word)
        )
    return physicians


@allowed(PHYSICIAN, "read")
def physician_directory(request):
    term = request.GET.get("q", "").strip()[:100]
    physicians = search_physicians(OutsidePhysician.objects.visible_to(request.user), term)
    return render(
        request,
        "documents/physician_directory.html",
        {
            "physicians": list(physicians[:PAGE_SIZE]),
            "q": term,
            "page_size": PAGE_SIZE,
            "can_add": PHYSICIAN.may(request.user, "create"),
            "can_edit": PHYSICIAN.may(request.user, "update"),
        },
    )


@allowed(PHYSICIAN, "create")
def physician_new(request):
    form = PhysicianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            physician = add_physician(by=request.user, data=form.cleaned_data)
        except NotAllowed as error:  # pragma: no cover - the page's door refused it first
            show_service_error(request, error)
        else:
            messages.success(request, f"{physician} is in the directory.")
            return _back_to(physician)
    return _form(request, form, None)


@allowed(PHYSICIAN, "update")
def physician_edit(request, physician_id):
    directory = OutsidePhysician.objects.visible_to(request.user)
    physician = get_object_or_404(directory, pk=physician_id)
    form = PhysicianForm(request.POST or None, physician=physician)
    if request.method == "POST" and form.is_valid():
        try:
            change_physician(physician=physician, by=request.user, data=form.cleaned_data)
        except Invalid as error:
            show_service_error(request, error, form)
        else:
            messages.success(request, f"{physician} is saved.")
            return _back_to(physician)
    return _form(request, form, physician)


def _back_to(physician):
    """The directory, showing the physician just saved."""
    return redirect(f"{reverse('physician_directory')}?q={physician.npi}")


def _form(request, form, physician):
    return render(
        request,
        "documents/physician_form.html",
        {"form": form, "physician": physician},
        status=400 if form.errors else 200,
    )

"""The pages of the load mix (issue 17, item 4): what a therapist, the front
desk and a doctor open in the browser, signed in by session cookie as the
browser is, beside the API endpoints of bench/harness.py."""

from bench.memory import _session_cookie


def session_cookie(user) -> str:
    """The pages sign in by session: one written as `login()` would (bench/memory.py)."""
    return _session_cookie(user)


def pages_of_the_mix(fx: dict, n: int = 0) -> dict:
    """The pages of issue 17 (signed in by session): the therapist's Today and
    note form, the week calendar of every therapist, the doctor's My patients
    and a plan's progress. The note form is of the oldest backlog visit, which
    the load logs last."""
    therapist = fx["therapists"][n % len(fx["therapists"])]
    doctor = fx["doctors"][n % len(fx["doctors"])]
    desk = fx["front_desk"][n % len(fx["front_desk"])]
    plan = doctor["plans"][n % len(doctor["plans"])]
    return {
        "page: therapist's today": (therapist["cookie"], "get", "/today/", {}, 200),
        "page: note form": (
            therapist["cookie"],
            "get",
            f"/visits/{therapist['pool'][0][0]}/note/",
            {},
            200,
        ),
        "page: week calendar, all therapists": (
            desk["cookie"],
            "get",
            "/week/",
            {"view": "week", "date": fx["week"]["start"][:10]},
            200,
        ),
        "page: doctor's my patients": (doctor["cookie"], "get", "/my-patients/", {}, 200),
        "page: plan progress": (doctor["cookie"], "get", f"/plans/{plan}/progress/", {}, 200),
    }

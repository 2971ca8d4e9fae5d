"""The growth comparison (issue 17, item 5): what a size means, and the table of
p50 ratios it writes."""

from bench.dataset import FULL
from bench.growth import TARGET, scaled, section


def test_ten_times_the_bench_clinic_is_the_issues_10x():
    # when the bench clinic is scaled ten times
    ten = scaled(FULL, 10)
    # then it holds 50,000 patients and 600,000 visits, with the same 40 therapists
    assert (ten.patients, ten.appointments, ten.therapists) == (50_000, 600_000, 40)
    assert ten.notes == 10 * FULL.notes
    assert ten.weeks_ahead == FULL.weeks_ahead
    assert scaled(FULL, 1) == FULL


def _size(k, p50s):
    return {
        "k": k,
        "patients": 600 * k,
        "appointments": 7_200 * k,
        "notes": 3_200 * k,
        "queries": dict.fromkeys(p50s, 4),
        "failed": {},
        "service": {name: {"wall_p50": ms, "cpu": ms} for name, ms in p50s.items()},
        "plans": {"grows": [{"sql": "SELECT 1", "plan": "Seq Scan on x\nExecution Time: 2.5 ms"}]},
    }


def test_the_table_gives_each_endpoints_ratio_and_marks_what_grows():
    # given the p50s at two sizes: one flat, one that doubles
    small = _size(1, {"flat": 10.0, "grows": 10.0})
    large = _size(2, {"flat": 11.0, "grows": 20.0})
    # when the section is written
    text = "\n".join(section(small, large))
    # then each endpoint has its ratio, and only the one over the target is marked
    assert "| flat | 10.0 | 11.0 | 1.10 | 4 | 4 |" in text
    assert f"| grows | 10.0 | 20.0 | 2.00 **over {TARGET}x** | 4 | 4 |" in text
    assert "Execution Time: 2.5 ms" in text

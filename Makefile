# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-clock rules-check lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	NPLUSONE_CHECKS=1 $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var

# The date-sensitive tests again at the awkward instants of clinic time
# (tests/clock.py): just after and just before midnight on a weekday, a Sunday
# morning, and the two daylight-saving Sundays (spring forward just after
# midnight, fall back just before it). SQLite, a test database of its own.
CLOCK_INSTANTS ?= 2026-06-10T00:10 2026-06-10T23:50 2026-06-14T10:30 2026-03-08T00:10 2026-11-01T23:50
# The tests whose records or answers hang on today's date or the hour (visits
# relative to now, Today, validity, reminders, certification, lifecycles).
CLOCK_TESTS ?= tests/scheduling tests/supervision \
	tests/api/test_appointments.py tests/api/test_referrals_and_plans.py \
	tests/api/test_session_notes.py tests/api/test_supervision_api.py \
	tests/pages/test_therapist_pages.py tests/pages/test_front_desk_pages.py \
	tests/pages/test_doctor_pages.py tests/pages/test_end_therapy.py \
	tests/foundation/test_plan_lifecycle.py tests/foundation/test_referral_lifecycle.py \
	tests/foundation/test_session_note_lifecycle.py tests/foundation/test_scoping.py \
	tests/foundation/test_test_tools.py tests/security/test_totp.py

# CLOCK_JOBS instants run side by side (2 cores: two at a time), each on its own
# SQLite file; tools/test_clock.sh prints their logs in order.
CLOCK_JOBS ?= 2

test-clock: $(TEST_STAMP)
	@CLOCK_INSTANTS="$(CLOCK_INSTANTS)" CLOCK_TESTS="$(CLOCK_TESTS)" CLOCK_JOBS="$(CLOCK_JOBS)" \
	  PYTEST_ARGS="$(PYTEST_ARGS)" BIN="$(CURDIR)/$(BIN)" bash tools/test_clock.sh

# Each clinic rule of tools/rules.toml disabled in turn in a copy of the
# project: its named tests must fail without it (tools/rules_check.py).
rules-check: $(TEST_STAMP)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python tools/rules_check.py

# The performance benchmark (bench/run.py): PostgreSQL and Redis on localhost,
# under 10 minutes; writes bench/RESULTS.md. BENCH_ARGS=--ladder sizes gunicorn.
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $@ $(STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

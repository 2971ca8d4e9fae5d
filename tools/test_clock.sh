#!/usr/bin/env bash
# `make test-clock`: the date-sensitive tests once per instant of clinic time
# (CLOCK_INSTANTS), CLOCK_JOBS instants at a time, each with its own SQLite
# test database and log under var/clock/. Prints every log in instant order,
# then fails if any instant failed. Run from the project root by the Makefile,
# which exports CLOCK_INSTANTS, CLOCK_TESTS, CLOCK_JOBS, PYTEST_ARGS and BIN.
set -uo pipefail
out="$PWD/var/clock"
mkdir -p "$out"
rm -f "$out"/*.rc "$out"/*.log

one_instant() {
  local now=$1 name=${1//:/-}
  env -u DATABASE_URL -u REDIS_URL CLINIC_TEST_NOW="$now" \
    TEST_DATABASE_NAME="$out/$name.sqlite3" \
    "$BIN/pytest" -q -p no:cacheprovider $PYTEST_ARGS $CLOCK_TESTS >"$out/$name.log" 2>&1
  echo $? >"$out/$name.rc"
}
export -f one_instant
export out

printf '%s\n' $CLOCK_INSTANTS | xargs -P "${CLOCK_JOBS:-2}" -I{} bash -c 'one_instant "$1"' _ {}

failed=""
for now in $CLOCK_INSTANTS; do
  name=${now//:/-}
  echo "== clinic time $now"
  cat "$out/$name.log"
  [ "$(cat "$out/$name.rc" 2>/dev/null)" = "0" ] || failed="$failed $now"
done
if [ -n "$failed" ]; then
  echo "test-clock: failed at$failed"
  exit 1
fi
echo "test-clock: passed at every instant ($CLOCK_INSTANTS)"

#!/bin/bash
# Before/after on the same data in one run: alternates draft_month with the code of commit BEFORE
# (checked out in a temporary worktree) and with this tree, each at its own schema (migrating the
# accountability app between BEFORE_MIGRATION and AFTER_MIGRATION), ROUNDS times. Generate the data
# first: .venv/bin/python bench/bench_assessment.py --complaints 100000 --repeat 1
#
#   bench/assessment_before_after.sh BEFORE [ROUNDS] [BEFORE_MIGRATION] [AFTER_MIGRATION]
set -euo pipefail
BEFORE=$1; ROUNDS=${2:-3}; OLD=${3:-0002}; NEW=${4:-0003}
HERE=$(cd "$(dirname "$0")/.." && pwd); PY=$HERE/.venv/bin/python
export KESU_DATABASE_URL=${KESU_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kesu_assess}
export KESU_SECRET_KEY=bench-only-secret-key-not-for-production-0123456789 KESU_PRESET=pcb
OLDTREE=$(mktemp -d); trap 'git -C "$HERE" worktree remove --force "$OLDTREE"' EXIT
git -C "$HERE" worktree add --detach --force "$OLDTREE" "$BEFORE" > /dev/null 2>&1
TIME='import sys, time, django; from datetime import date; django.setup()
from kesu.accountability import services
t = time.perf_counter(); services.draft_month(month=date(2026, 10, 1), by=None); print(f"{time.perf_counter() - t:.2f}")'
for _ in $(seq "$ROUNDS"); do
  (cd "$HERE" && .venv/bin/kesu migrate accountability "$OLD" -v0)
  before=$(cd "$OLDTREE" && DJANGO_SETTINGS_MODULE=kesu.settings PYTHONPATH="$OLDTREE" $PY -c "$TIME")
  (cd "$HERE" && .venv/bin/kesu migrate accountability "$NEW" -v0)
  after=$(cd "$HERE" && DJANGO_SETTINGS_MODULE=kesu.settings PYTHONPATH="$HERE" $PY -c "$TIME")
  echo "before ${before} s  after ${after} s  ratio $(echo "scale=2; $after / $before" | bc)  load $(cut -d' ' -f1 /proc/loadavg)"
done

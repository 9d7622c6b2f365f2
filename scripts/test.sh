#!/usr/bin/env bash
# Every test of the book, in order; stops at the first failing stage.
# Run through `make test` (which installs the environment first).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPTLIB_QUIET=1 MPLBACKEND=agg PYTHONHASHSEED=0

# pytest exits 5 when it collected nothing: that is a failure here, never a pass.
run_pytest() {
  local stage=$1; shift
  set +e
  python -m pytest "$@"
  local rc=$?
  set -e
  if [ "$rc" -eq 5 ]; then
    echo "FAILED: $stage collected no tests (pytest exit 5)" >&2
    exit 1
  elif [ "$rc" -ne 0 ]; then
    echo "FAILED: $stage (pytest exit $rc)" >&2
    exit "$rc"
  fi
}

stage() { printf '\n===== %s =====\n' "$*"; }

# The numeric stages: unit tests and nbval over every notebook. Two workers on two cores:
# one math thread each, or OpenMP threads oversubscribe the cores and tiny torch models
# slow down tens of times.
numeric_stages() {
  local label=$1
  stage "$label: optlib unit tests"
  run_pytest "unit tests ($label)" tests -q -n 2 -m "not browser and not homework"
  stage "$label: nbval, the front page and every notebook in chapters/"
  OMP_NUM_THREADS=1 run_pytest "nbval ($label)" --nbval-lax --nbval-current-env \
    -o norecursedirs="_build .*" -n 2 --dist loadscope intro.ipynb chapters -q
}

numeric_stages "1/5 best SIMD dispatch for this CPU"

# The same numbers must hold when NumPy runs other loops (optlib/numerics.py): lower the
# dispatch to NumPy's baseline by disabling every SIMD target this CPU offers above it.
dispatch=$(python scripts/npy_dispatch.py)
if [ -n "$dispatch" ]; then
  NPY_DISABLE_CPU_FEATURES="$dispatch" numeric_stages "2/5 NumPy baseline dispatch (disabled: $dispatch)"
else
  stage "2/5 skipped: this CPU offers NumPy no SIMD target above its baseline (one dispatch only)"
fi

stage "3/5 homework: every chapter exported with otter-grader, graded solved and unsolved"
OMP_NUM_THREADS=1 run_pytest "homework" tests -q -m homework -n 2

stage "4/5 book build: fresh execution, warnings are errors"
rm -rf _build/html _build/.doctrees _build/jupyter_execute
jupyter-book build . --all -W -n --keep-going

stage "5/5 browser test of the built site"
run_pytest "browser test" tests -q -m browser

echo
echo "All test stages passed."

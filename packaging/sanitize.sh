#!/usr/bin/env bash
# Builds a sanitizer preset (CMakePresets.json) and runs the tests under it:
#   bash packaging/sanitize.sh asan [--std-only]   # AddressSanitizer + UndefinedBehaviorSanitizer
#                                                   # (leaks too) on every unit test
#   bash packaging/sanitize.sh tsan [--std-only]   # ThreadSanitizer on the tests with threads:
#                                                   # store concurrency, recorder, services
# --std-only builds and runs only the tests that need no LibTorch (ctest label `std`): minutes,
# the form CI runs; without it every target is built instrumented (about 40 minutes here).
# Any report fails the run. Suppressions (tests/sanitizers/*.supp) name only uninstrumented
# third-party libraries, each with its reason. Reports go to build-<kind>/sanitizer-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?"usage: packaging/sanitize.sh asan|tsan [--std-only]"}
shift
std_only=0
if [ "${1:-}" = "--std-only" ]; then
    std_only=1
    shift
fi
case "$kind" in asan|tsan) ;; *) echo "sanitize: unknown kind '$kind' (asan or tsan)" >&2; exit 2;; esac

build=build-$kind
supp=$PWD/tests/sanitizers
cmake --preset "$kind" -G Ninja > /dev/null
if [ $std_only = 1 ]; then
    cmake --build "$build" -j "${SLIM_BUILD_JOBS:-2}" --target slim_std_tests
    selection=(-L std)
else
    cmake --build "$build" -j "${SLIM_BUILD_JOBS:-2}"
    selection=(-L unit)
fi
if [ "$kind" = tsan ] && [ $std_only = 0 ]; then
    # The tests whose code runs threads of its own (the engine's own threads are OpenMP's).
    selection+=(-R 'tst_store_concurrency|tst_store_crash|tst_run_recorder|tst_run_catalog|tst_run_session|tst_job_manager')
fi

logs=$PWD/$build/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:log_path=$logs/asan:suppressions=$supp/asan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan:suppressions=$supp/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan:suppressions=$supp/tsan.supp"
status=0
(cd "$build" && ctest "${selection[@]}" --output-on-failure --timeout 1800 "$@") || status=$?
if compgen -G "$logs/*" > /dev/null; then
    echo "sanitize: reports in $logs:" >&2
    head -n 40 "$logs"/* >&2
    status=1
fi
echo "sanitize $kind$([ $std_only = 1 ] && echo ' (std-only)'): $([ $status = 0 ] && echo 'no report' || echo FAILED)"
exit $status

#!/usr/bin/env bash
# Runs the unit tests and the end-to-end tests (which drive OUT/skiff), then prints one closing line
# "N passed, N failed, N skipped" from the runners' TRX results. WHICH: all (default), unit, or stress.
set -uo pipefail
out=$1 which=${2:-all}
cd "$(dirname "$0")/.."
results=$(mktemp -d)
export SKIFF_OUT=$out
rc=0
projects=(tests/Skiff.Tests)
[ "$which" != unit ] && projects+=(tests/Skiff.EndToEnd)
# stress: only the tests whose loops SKIFF_STRESS_ITERATIONS / SKIFF_SECCOMP_FUZZ_RUNS lengthen (make stress)
filter=()
[ "$which" = stress ] && filter=(--filter "FullyQualifiedName~CloneStressTests|FullyQualifiedName~SeccompFuzzTests|FullyQualifiedName~KillStressTests|FullyQualifiedName~RootfsAttackTests|FullyQualifiedName~ConcurrencyStressTests|FullyQualifiedName~LifecycleTests.A_killed_cli|FullyQualifiedName~FaultTests")
aborted=0
for p in "${projects[@]}"; do
  # --blame: if the test host crashes, the run is aborted and the test that was running is named.
  dotnet test "$p" -c Release --nologo --blame ${filter[@]+"${filter[@]}"} --logger "trx;LogFilePrefix=$(basename "$p")" --logger "console;verbosity=minimal" \
    --results-directory "$results" 2>&1 | tee "$results/$(basename "$p").log" || rc=1
  if ! ls "$results/$(basename "$p")"*.trx >/dev/null 2>&1; then
    aborted=$((aborted + 1))
    echo "NOT RUN: $(basename "$p"): it did not build or its runner failed:" >>"$results/failed.txt"
    grep -m5 " error \|error CS" "$results/$(basename "$p").log" | sed 's/^/  /' >>"$results/failed.txt"
  elif grep -q "Test Run Aborted\|test run was aborted" "$results/$(basename "$p").log"; then
    aborted=$((aborted + 1))
    echo "ABORTED: $(basename "$p"): the test host crashed; the tests it was running:" >>"$results/failed.txt"
    grep -A5 "host process exited unexpectedly\|while executing following test" "$results/$(basename "$p").log" | sed 's/^/  /' >>"$results/failed.txt"
  fi
done
passed=0 failed=0 skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f")
  get() { echo "$c" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  t=$(get total) p=$(get passed) fl=$(get failed) e=$(get executed)
  passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + t - e))
  # the failed tests' names once more at the very end, where a truncated log still shows them
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$f" | grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/FAILED: \1/' >>"$results/failed.txt"
done
[ -s "$results/failed.txt" ] && cat "$results/failed.txt"
rm -rf "$results"
echo "$passed passed, $failed failed, $skipped skipped$([ "$aborted" -gt 0 ] && echo ", $aborted test run(s) aborted or not run")"
[ "$failed" -eq 0 ] && [ "$aborted" -eq 0 ] || rc=1
exit $rc

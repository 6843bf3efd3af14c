#!/usr/bin/env bash
# Runs the unit tests and the end-to-end tests (which drive OUT/skiff), then prints one closing line
# "N passed, N failed, N skipped" from the runners' TRX results.
set -uo pipefail
out=$1 which=${2:-all}
cd "$(dirname "$0")/.."
results=$(mktemp -d)
export SKIFF_OUT=$out
rc=0
projects=(tests/Skiff.Tests)
[ "$which" = all ] && projects+=(tests/Skiff.EndToEnd)
for p in "${projects[@]}"; do
  dotnet test "$p" -c Release --nologo --logger "trx;LogFilePrefix=$(basename "$p")" --logger "console;verbosity=minimal" \
    --results-directory "$results" || rc=1
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
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || rc=1
exit $rc

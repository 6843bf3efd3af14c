#!/usr/bin/env bash
# `make bench`: wall time of `skiff run --rm IMAGE true` against `podman run --rm IMAGE true` (podman from
# Debian with runc, the cgroupfs manager and ulimits clamped to this machine's hard limits) on the same image,
# alternating, several rounds; prints the medians and their ratio. Also our runtime against runc alone on one
# prepared bundle. Then the daemonless lifecycle against podman's (bench/lifecycle.sh): a batch of `run -d` and
# `rm -f`, `ps -a` over many containers, and the memory of each container's monitor (skiff-monitor, conmon).
# Machines are noisy: only ratios taken in one run mean anything.
#   ROUNDS (15): rounds of the single commands and of ps -a; BATCH_ROUNDS (3) and BATCH (100): the batches;
#   PS_CONTAINERS (500); LIFECYCLE=0 skips the lifecycle part (about 4 minutes on 2 cores), LIFECYCLE=only runs it alone.
set -euo pipefail
skiff=$(readlink -f "$1")
rounds=${ROUNDS:-15}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../tests/fixtures
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || [ ! -x /usr/bin/time ]; then
  [ "$(id -u)" = 0 ] || { echo "bench: podman, runc and GNU time are needed (apt-get install podman runc time)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc time >/dev/null
fi
dir=$(mktemp -d /tmp/skiff-bench.XXXXXX)
addr=127.0.0.1:${BENCH_PORT:-5055}
cleanup() { lifecycle_cleanup; "$fixtures/registry.sh" stop "$dir"; for d in /sys/fs/cgroup/*/skiff-bench /sys/fs/cgroup/skiff-bench; do rmdir "$d"/run "$d" 2>/dev/null || true; done; umount -R "$dir"/podman-root/overlay 2>/dev/null || true; rm -rf "$dir"; }
source "$here/lifecycle.sh"
trap cleanup EXIT
"$fixtures/registry.sh" start "$addr" "$dir" >/dev/null
image=$addr/library/busybox
# podman's defaults (nofile 1048576, nproc 4194304) fail where root lacks CAP_SYS_RESOURCE; podman itself
# lowers its own RLIMIT_NPROC to 32768, so that is the most its containers can get.
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' "$nofile" "$nofile" "$nproc" "$nproc" > "$dir/containers.conf"
export CONTAINERS_CONF=$dir/containers.conf
podman=(podman --root "$dir/podman-root" --runroot "$dir/podman-run" --tmpdir "$dir/podman-tmp" --runtime runc --cgroup-manager cgroupfs --events-backend file)
sk=("$skiff" --root "$dir/skiff-root" --runroot "$dir/skiff-run")
"${podman[@]}" pull -q --tls-verify=false "$image" >/dev/null
"${sk[@]}" pull -q --tls-verify=false "$image" >/dev/null

now() { echo "${EPOCHREALTIME/./}"; }  # microseconds
time_us() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }; t1=$(now); echo $((t1 - t0)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v us="$1" 'BEGIN {printf "%.1f ms", us/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; }

if [ "${LIFECYCLE:-1}" != only ]; then
  # Warm both once (page cache), then alternate.
  "${sk[@]}" run --rm "$image" true; "${podman[@]}" run --rm "$image" true
  s=() p=()
  for _ in $(seq "$rounds"); do
    s+=("$(time_us "${sk[@]}" run --rm "$image" true)")
    p+=("$(time_us "${podman[@]}" run --rm "$image" true)")
  done
  ms_s=$(printf '%s\n' "${s[@]}" | median); ms_p=$(printf '%s\n' "${p[@]}" | median)

  # The runtimes alone on one bundle shaped like podman's (cgroup with memory, pids and device rules; podman's
  # seccomp profile): `RUNTIME run` = create + start + wait + delete. Wall time alternating; then peak RSS, the
  # largest resident set of any process in the runtime's tree (GNU time's %M, from wait4).
  bundle=$dir/bundle
  dotnet run --project "$here/Skiff.Bench" -c Release -- "$bundle" /skiff-bench/run >/dev/null
  runtime=$(dirname "$skiff")/skiff-runtime
  r=() c=() rr=() cr=()
  "$runtime" --root "$dir/rt-state" run --bundle "$bundle" warm >/dev/null; runc --root "$dir/runc-state" run --bundle "$bundle" warm >/dev/null
  for i in $(seq "$rounds"); do
    r+=("$(time_us "$runtime" --root "$dir/rt-state" run --bundle "$bundle" "b$i")")
    c+=("$(time_us runc --root "$dir/runc-state" run --bundle "$bundle" "b$i")")
  done
  peak_kb() { /usr/bin/time -f %M -o "$dir/rss" "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }; cat "$dir/rss"; }
  for i in $(seq 5); do
    rr+=("$(peak_kb "$runtime" --root "$dir/rt-state" run --bundle "$bundle" "m$i")")
    cr+=("$(peak_kb runc --root "$dir/runc-state" run --bundle "$bundle" "m$i")")
  done
  ms_r=$(printf '%s\n' "${r[@]}" | median); ms_c=$(printf '%s\n' "${c[@]}" | median)
  kb_r=$(printf '%s\n' "${rr[@]}" | median); kb_c=$(printf '%s\n' "${cr[@]}" | median)
fi
mib() { awk -v kb="$1" 'BEGIN {printf "%.1f MiB", kb/1024}'; }

# The table: what, skiff, the other, ratio skiff/other, target.
rows=()
row() { rows+=("$(printf '| %-52s | %-16s | %-30s | %-6s | %-6s |' "$@")"); }
if [ "${LIFECYCLE:-1}" != only ]; then
  row "run --rm busybox true, median" "$(ms "$ms_s")" "podman $(podman --version | cut -d' ' -f3) + runc: $(ms "$ms_p")" "$(ratio "$ms_s" "$ms_p")" ""
  row "OCI runtime run (bundle), median" "$(ms "$ms_r")" "runc $(runc --version | head -1 | cut -d' ' -f3): $(ms "$ms_c")" "$(ratio "$ms_r" "$ms_c")" ""
  row "runtime peak RSS, median" "$(mib "$kb_r")" "runc: $(mib "$kb_c")" "$(ratio "$kb_r" "$kb_c")" ""
fi
if [ "${LIFECYCLE:-1}" != 0 ]; then
  lifecycle_bench
  lifecycle_rows
fi
row "what" "skiff" "other" "ratio" "target"; header=${rows[-1]}; unset 'rows[-1]'
echo "$header"; echo "$header" | sed 's/[^|]/-/g'
printf '%s\n' "${rows[@]}"
note="$rounds rounds each, alternating"
[ "${LIFECYCLE:-1}" = 0 ] || note+="; batches: $batch_rounds x $batch containers, podman ${podman_net[*]:-with its default network}"
echo "($note; $(nproc) cores, $(uname -r))"

# Sourced by bench/run.sh (it sets skiff, sk, podman, image, dir, rounds and the helpers time_us, median, ms, ratio, row):
# the daemonless lifecycle against podman's (conmon + runc), each engine in its own storage under $dir.
#   1. a user's script: `run -d IMAGE sleep 1000` of BATCH containers, then `rm -f -t 0` of each, one command at a
#      time; the whole batch timed, BATCH_ROUNDS rounds, the engines alternating (and which goes first, too).
#   2. `ps -a` with PS_CONTAINERS containers made by `create`, PS_ROUNDS times each, alternating.
#   3. with the batch's containers running (every round, before the rm): the PSS, private dirty and RSS of each
#      container's monitor (skiff-monitor, conmon) from /proc/PID/smaps_rollup, mean per container; and the
#      rootless pause process's PSS where there is one (none as root).
# Skiff has no networks yet: its containers get a network namespace holding only lo, which is podman's
# `--network none`, so podman runs with that (PODMAN_NETWORK=bridge gives podman its default, the CNI bridge as root:
# about 0.1 s more per run -d and per rm on 2 cores). Times are taken with $EPOCHREALTIME, without a subshell.
batch=${BATCH:-100}
batch_rounds=${BATCH_ROUNDS:-3}
ps_containers=${PS_CONTAINERS:-500}
ps_rounds=${PS_ROUNDS:-$rounds}
podman_net=(--network "${PODMAN_NETWORK:-none}")
[ "${PODMAN_NETWORK:-none}" = bridge ] && podman_net=()
monitor_bin=$(readlink -f "$(dirname "$skiff")/skiff-monitor")
conmon_bin=$(readlink -f "$(command -v conmon || echo /usr/bin/conmon)")

# Every container this part made, by id (for the cleanup, whatever state the engines' stores are left in).
lc_ids=$dir/lifecycle-ids

# The monitors of this bench's containers: processes running BIN whose command line names STORE (our storage).
monitor_pids() {
  local bin=$1 store=$2 p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = "$bin" ] || continue
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF -- "$store" && echo "${p#/proc/}"
  done
  return 0
}

# Mean of smaps_rollup fields over PIDS, in kB: "pss private_dirty rss shared_clean count".
rollup_mean() {
  local p
  for p in "$@"; do cat "/proc/$p/smaps_rollup" 2>/dev/null; done | awk '
    $1 == "Rss:" { rss += $2; n++ } $1 == "Pss:" { pss += $2 } $1 == "Private_Dirty:" { pd += $2 } $1 == "Shared_Clean:" { sc += $2 }
    END { if (n) printf "%.1f %.1f %.1f %.1f %d\n", pss/n, pd/n, rss/n, sc/n, n; else print "0 0 0 0 0" }'
}

# BENCH_SMAPS=1: where one monitor's memory is, from /proc/PID/smaps, by mapping (the file, or the kind of anonymous
# memory), largest PSS first, in kB: Pss, Private_Dirty, Shared_Clean, Rss. An anonymous mapping right after a file's
# is "anon after FILE" (its .bss); the others are "anon" (mmap'd heaps, thread stacks).
smaps_detail() {
  echo "== $1 monitor $2: $(readlink "/proc/$2/exe"); threads: $(cat /proc/"$2"/task/*/comm | sort | uniq -c | sed 's/^ *//' | paste -sd,)"
  printf '  %8s %9s %8s %8s  %s\n' Pss PrivDirty ShClean Rss mapping
  awk '
    /^[0-9a-f]+-[0-9a-f]+ / { name = ($6 != "") ? $6 : (last != "" ? "anon after " last : "anon"); last = ($6 ~ /^\//) ? $6 : "" }
    $1 == "Pss:" { pss[name] += $2 } $1 == "Private_Dirty:" { pd[name] += $2 } $1 == "Shared_Clean:" { sc[name] += $2 } $1 == "Rss:" { rss[name] += $2 }
    END { for (n in pss) if (rss[n]) printf "  %8d %9d %8d %8d  %s\n", pss[n], pd[n], sc[n], rss[n], n }' "/proc/$2/smaps" | sort -k1,1nr | head -20
}

# One round of one engine: ENGINE-NAME then its command line. Appends the batch's wall time (us) and each command's
# time to $dir/lc-*-NAME, and the monitors' memory (with all the batch running) to $dir/lc-mem-NAME.
batch_round() {
  local name=$1; shift
  local ids=() pids=() extra=() id t0 t1 t2 c0 out bin store
  if [ "$name" = skiff ]; then bin=$monitor_bin store=$dir/skiff-root; else bin=$conmon_bin store=$dir/podman-root extra=("${podman_net[@]}"); fi
  t0=${EPOCHREALTIME/./}
  for _ in $(seq "$batch"); do
    c0=${EPOCHREALTIME/./}
    out=$("$@" run -d "${extra[@]}" "$image" sleep 1000 2>&1) || { echo "bench: $name run -d failed: $out" >&2; exit 1; }
    echo "$((${EPOCHREALTIME/./} - c0))" >> "$dir/lc-run-$name"
    id=${out##*$'\n'}; ids+=("$id"); echo "$id" >> "$lc_ids"
  done
  t1=${EPOCHREALTIME/./}
  sleep 2  # let the last monitors settle (untimed)
  mapfile -t pids < <(monitor_pids "$bin" "$store")
  [ "${#pids[@]}" = "$batch" ] || echo "bench: warning: found ${#pids[@]} $name monitors for $batch containers" >&2
  rollup_mean "${pids[@]}" >> "$dir/lc-mem-$name"
  [ "${BENCH_SMAPS:-0}" = 0 ] || [ -z "${pids[0]:-}" ] || smaps_detail "$name" "${pids[0]}" >&2
  t2=${EPOCHREALTIME/./}
  for id in "${ids[@]}"; do
    c0=${EPOCHREALTIME/./}
    out=$("$@" rm -f -t 0 "$id" 2>&1) || { echo "bench: $name rm -f failed: $out" >&2; exit 1; }
    echo "$((${EPOCHREALTIME/./} - c0))" >> "$dir/lc-rm-$name"
  done
  echo "$((${EPOCHREALTIME/./} - t2 + t1 - t0))" >> "$dir/lc-batch-$name"
}

# PSS of the rootless pause process, if any: skiff's (skiff-monitor --pause, of this user) and podman's (the pid in
# its rootless tmp dir). Prints "-" when there is none (as root neither engine makes one).
pause_pss() {
  local pid="" p
  if [ "$1" = skiff ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/exe" 2>/dev/null)" = "$monitor_bin" ] && [ "$(tr '\0' ' ' < "$p/cmdline")" = "$monitor_bin --pause " ] \
        && [ "$(stat -c %u "$p")" = "$(id -u)" ] && { pid=${p#/proc/}; break; }
    done
  else
    [ "$(id -u)" != 0 ] && [ -f "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/libpod/tmp/pause.pid" ] && pid=$(cat "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/libpod/tmp/pause.pid")
  fi
  if [ -n "$pid" ] && [ -r "/proc/$pid/smaps_rollup" ]; then rollup_mean "$pid" | cut -d' ' -f1; else echo -; fi
}

lifecycle_bench() {
  # A freshly built binary's page cache stays dirty until written back, and would show as the monitors' dirty pages.
  sync "$monitor_bin" "$conmon_bin" 2>/dev/null || sync
  local i id
  touch "$lc_ids"
  # Warm both (page cache, podman's first-use work).
  id=$("${sk[@]}" run -d "$image" sleep 1000 | tail -1); echo "$id" >> "$lc_ids"; "${sk[@]}" rm -f -t 0 "$id" >/dev/null
  id=$("${podman[@]}" run -d "${podman_net[@]}" "$image" sleep 1000 | tail -1); echo "$id" >> "$lc_ids"; "${podman[@]}" rm -f -t 0 "$id" >/dev/null
  for i in $(seq "$batch_rounds"); do
    if [ $((i % 2)) = 1 ]; then batch_round skiff "${sk[@]}"; batch_round podman "${podman[@]}"
    else batch_round podman "${podman[@]}"; batch_round skiff "${sk[@]}"; fi
  done
  pause_skiff=$(pause_pss skiff); pause_podman=$(pause_pss podman)

  # ps -a over PS_CONTAINERS created containers (made alternately too, timed per command for the record).
  local c0 out
  for i in $(seq "$ps_containers"); do
    c0=${EPOCHREALTIME/./}; out=$("${sk[@]}" create "$image" sleep 1000 2>&1) || { echo "bench: skiff create failed: $out" >&2; exit 1; }
    echo "$((${EPOCHREALTIME/./} - c0))" >> "$dir/lc-create-skiff"; echo "${out##*$'\n'}" >> "$lc_ids"
    c0=${EPOCHREALTIME/./}; out=$("${podman[@]}" create "${podman_net[@]}" "$image" sleep 1000 2>&1) || { echo "bench: podman create failed: $out" >&2; exit 1; }
    echo "$((${EPOCHREALTIME/./} - c0))" >> "$dir/lc-create-podman"; echo "${out##*$'\n'}" >> "$lc_ids"
  done
  [ "$("${sk[@]}" ps -aq | wc -l)" = "$ps_containers" ] || { echo "bench: skiff ps -a does not list $ps_containers containers" >&2; exit 1; }
  [ "$("${podman[@]}" ps -aq | wc -l)" = "$ps_containers" ] || { echo "bench: podman ps -a does not list $ps_containers containers" >&2; exit 1; }
  for i in $(seq "$ps_rounds"); do
    time_us "${sk[@]}" ps -a >> "$dir/lc-ps-skiff"
    time_us "${podman[@]}" ps -a >> "$dir/lc-ps-podman"
  done
  "${sk[@]}" rm -a >/dev/null; "${podman[@]}" rm -a >/dev/null
}

kib() { awk -v kb="$1" 'BEGIN {printf "%.0f KiB", kb}'; }

# Medians and means for the table (files of numbers, one per line).
col_median() { median < "$1"; }
mem_median() { awk -v f="$2" '{print $f}' "$1" | median; }

lifecycle_rows() {
  local bs bp rs rp ms mp cs cp ps pp
  bs=$(col_median "$dir/lc-batch-skiff"); bp=$(col_median "$dir/lc-batch-podman")
  row "run -d + rm -f -t 0 of $batch containers, median batch" "$(awk -v us="$bs" 'BEGIN {printf "%.2f s", us/1e6}')" \
      "$(awk -v us="$bp" 'BEGIN {printf "%.2f s", us/1e6}')" "$(ratio "$bs" "$bp")" "<= 0.5"
  rs=$(col_median "$dir/lc-run-skiff"); rp=$(col_median "$dir/lc-run-podman")
  row "  run -d, median per container" "$(ms "$rs")" "$(ms "$rp")" "$(ratio "$rs" "$rp")" ""
  rs=$(col_median "$dir/lc-rm-skiff"); rp=$(col_median "$dir/lc-rm-podman")
  row "  rm -f -t 0, median per container" "$(ms "$rs")" "$(ms "$rp")" "$(ratio "$rs" "$rp")" ""
  cs=$(col_median "$dir/lc-create-skiff"); cp=$(col_median "$dir/lc-create-podman")
  row "create, median per container (to $ps_containers)" "$(ms "$cs")" "$(ms "$cp")" "$(ratio "$cs" "$cp")" ""
  ps=$(col_median "$dir/lc-ps-skiff"); pp=$(col_median "$dir/lc-ps-podman")
  row "ps -a with $ps_containers containers, median" "$(ms "$ps")" "$(ms "$pp")" "$(ratio "$ps" "$pp")" "<= 0.3"
  ms=$(mem_median "$dir/lc-mem-skiff" 1); mp=$(mem_median "$dir/lc-mem-podman" 1)
  row "monitor PSS per container ($batch running, mean)" "$(kib "$ms")" "conmon $(kib "$mp")" "$(ratio "$ms" "$mp")" "<= 1"
  ms=$(mem_median "$dir/lc-mem-skiff" 2); mp=$(mem_median "$dir/lc-mem-podman" 2)
  row "  of which private dirty" "$(kib "$ms")" "$(kib "$mp")" "$(ratio "$ms" "$mp")" ""
  ms=$(mem_median "$dir/lc-mem-skiff" 3); mp=$(mem_median "$dir/lc-mem-podman" 3)
  row "  RSS (shared pages counted whole)" "$(kib "$ms")" "$(kib "$mp")" "$(ratio "$ms" "$mp")" ""
  if [ "$pause_skiff" = - ] && [ "$pause_podman" = - ]; then
    row "rootless pause process PSS" "none ($(id -un))" "none" "" ""
  else
    row "rootless pause process PSS" "$( [ "$pause_skiff" = - ] && echo none || kib "$pause_skiff")" "$( [ "$pause_podman" = - ] && echo none || kib "$pause_podman")" \
        "$( [ "$pause_skiff" = - ] || [ "$pause_podman" = - ] || ratio "$pause_skiff" "$pause_podman")" ""
  fi
}

# Whatever happened: remove every container (running ones killed), then anything the engines left behind: monitors
# of our stores and their children, cgroups of our containers, mounts under $dir. The image goes with $dir.
lifecycle_cleanup() {
  [ -f "$lc_ids" ] || return 0
  "${sk[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true
  "${podman[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true
  "${podman[@]}" rmi -a -f >/dev/null 2>&1 || true
  local p c id g
  for p in $(monitor_pids "$monitor_bin" "$dir/skiff-root") $(monitor_pids "$conmon_bin" "$dir/podman-root"); do
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
  while read -r id; do
    [ -n "$id" ] || continue
    for g in /sys/fs/cgroup/*/skiff_parent/skiff-"$id" /sys/fs/cgroup/skiff_parent/skiff-"$id" \
             /sys/fs/cgroup/*/libpod_parent/libpod-"$id" /sys/fs/cgroup/libpod_parent/libpod-"$id"; do
      [ -d "$g" ] || continue
      for p in $(cat "$g/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
      for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$g" 2>/dev/null && break; sleep 0.1; done
    done
  done < "$lc_ids"
  awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

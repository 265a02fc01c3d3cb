#!/usr/bin/env bash
# How long savers' receive threads wait for a CPU: reads a `perf sched record` file and prints,
# per saver process and session (the receive threads of one process that started within 3 s of
# each other: one round of runsc-load.sh), the time its receive threads were runnable but not
# running (perf's "sch delay", from wake-up to running), how many of those waits were over 10 ms,
# the longest, the receive threads' CPU time, and the CPU time of the same process's JIT compiler
# threads in the session's time span.
#
#   perf sched record -a -o /tmp/sched.data -- bench/runsc-load.sh --peers=/tmp/ref --rounds=3 \
#     --single=false --savers=java,c --saver-life=run --dir=/tmp/runs/sched
#   bench/sched-waits.sh /tmp/sched.data [THREAD-NAME-PREFIX...]
#
# The prefixes default to save's receive threads (named tracereplay-recorder-client-N, which the
# kernel cuts to 15 characters) and seqsaved's. perf costs CPU itself: read the figures against
# each other in one recording, not against runs without perf. See bench/README.md, 2026-12-05.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: bench/sched-waits.sh PERF-SCHED-DATA [THREAD-NAME-PREFIX...]" >&2; exit 2; }
data=$1
shift
[ -r "$data" ] || { echo "sched-waits: cannot read $data (make it with perf sched record -a -o FILE)" >&2; exit 2; }
[ $# -ge 1 ] || set -- tracereplay-rec seqsaved
prefixes="$*"

# timehist prints: time, [cpu], task name[tid/pid], wait time, sch delay, run time (ms).
perf sched timehist -i "$data" 2>/dev/null | awk -v prefixes="$prefixes" '
  BEGIN { n = split(prefixes, want, " ") }
  NF >= 6 && $1 ~ /^[0-9]+\.[0-9]+$/ {
    task = $3
    for (i = 4; i <= NF - 3; i++) task = task " " $i
    if (!match(task, /\[[0-9]+\/[0-9]+\]$/)) next
    ids = substr(task, RSTART + 1, RLENGTH - 2); comm = substr(task, 1, RSTART - 1)
    split(ids, id, "/"); tid = id[1]; pid = id[2]
    t = $1 + 0; delay = $(NF - 1) + 0; run = $NF + 0
    if (comm ~ /CompilerThre/) { print "J", pid, t, run; next }
    for (i = 1; i <= n; i++) {
      if (index(comm, want[i]) == 1) {
        if (!(tid in first)) { first[tid] = t; owner[tid] = pid; name[tid] = want[i] }
        last[tid] = t; count[tid]++; waited[tid] += delay; ran[tid] += run
        if (delay > 10) long[tid]++
        if (delay > longest[tid]) longest[tid] = delay
        break
      }
    }
  }
  END {
    for (tid in first) {
      printf "T %s %.6f %.6f %d %.3f %d %.3f %.3f %s\n", owner[tid], first[tid], last[tid], count[tid],
        waited[tid], long[tid] + 0, longest[tid] + 0, ran[tid], name[tid]
    }
  }' | sort -k1,1 -k2,2n -k3,3n | awk '
  function flush() {
    if (threads == 0) return
    jit = 0
    for (i = 1; i <= jits[gpid]; i++) {
      if (jt[gpid, i] >= from && jt[gpid, i] <= to) jit += jr[gpid, i]
    }
    printf "%-16s %8s %7d %7d %12.0f %8d %9.0f %10.0f %8.0f %8.1f\n", gname, gpid, session, threads,
      gwait, glong, glongest, gran, jit, to - from
    threads = 0
  }
  BEGIN {
    printf "%-16s %8s %7s %7s %12s %8s %9s %10s %8s %8s\n", "threads", "pid", "session", "threads",
      "waiting ms", ">10 ms", "max ms", "CPU ms", "JIT ms", "span s"
  }
  $1 == "J" { k = ++jits[$2]; jt[$2, k] = $3; jr[$2, k] = $4; next }
  $5 < 1000 { next }   # an accept thread or a client too short to be a session
  {
    if (threads > 0 && ($2 != gpid || $3 - from > 3)) flush()
    if (threads == 0) {
      if ($2 != gpid) session = 0; else session++
      gpid = $2; gname = $10; from = $3; to = $4; gwait = glong = glongest = gran = 0
    }
    threads++; if ($4 > to) to = $4
    gwait += $6; glong += $7; if ($8 > glongest) glongest = $8; gran += $9
  }
  END { flush() }'

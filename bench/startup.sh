#!/usr/bin/env bash
# Start-up cost of the command line as a whole process: `tracereplay replay` of the one-message
# fixture (true-start.trace) into a running `tracereplay save`, N times, printing the median,
# minimum and maximum of the wall time and of the CPU time (user + sys of the whole process tree),
# and the time of the first run, which makes the start-up archive (in a cache of its own, empty
# at the start: XDG_CACHE_HOME is set to a temporary directory).
#
#   bench/startup.sh [N] [LAUNCHER]  (default N=20 and the checkout's ./tracereplay; the JVM is
#                                     $JAVA_HOME/bin/java, else java, unless the launcher's install
#                                     has a runtime of its own)
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/startup.sh 20
#   bench/startup.sh 20 /opt/tracereplay-0.1.0-linux-x86_64/bin/tracereplay   # the runtime image
#
# Needs the build (mvn -B -q package -DskipTests). Each run's output must be exactly gVisor's
# replay output, with nothing on stderr: a JVM or CDS warning on either stream fails the run.
# The figures are printed, never asserted: the machine is shared, and its load (printed first)
# inflates the wall time far more than the CPU time.
set -euo pipefail

runs=${1:-20}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
launcher=${2:-"$root/tracereplay"}
fixture="$root/fixtures/true-start.trace"

work=$(mktemp -d /tmp/tracereplay-startup-XXXXXX)
export XDG_CACHE_HOME="$work/cache"
save_pid=""
cleanup() {
  if [ -n "$save_pid" ]; then
    kill -TERM "$save_pid" 2>/dev/null || true
    wait "$save_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

endpoint="$work/sink.sock"
"$launcher" save --endpoint="$endpoint" --out="$work/out" >"$work/save.out" 2>"$work/save.err" &
save_pid=$!
for _ in $(seq 1 600); do
  [ -S "$endpoint" ] && break
  kill -0 "$save_pid" 2>/dev/null || { echo "save exited:" >&2; cat "$work/save.err" >&2; exit 1; }
  sleep 0.05
done
[ -S "$endpoint" ] || { echo "save did not listen at $endpoint within 30 s" >&2; exit 1; }

expected=$'Handshake completed\n\rReplaying message: 1\nDone\n'
java="java"
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; fi
echo "$("$java" -version 2>&1 | head -1); $(nproc) CPUs; load average:$(uptime | sed 's/.*load average://')"

check() { # run number
  if [ "$(cat "$work/replay.out"; echo x)" != "${expected}x" ] || [ -s "$work/replay.err" ]; then
    echo "run $1: unexpected output" >&2
    echo "--- stdout:" >&2; cat -A "$work/replay.out" >&2
    echo "--- stderr:" >&2; cat "$work/replay.err" >&2
    exit 1
  fi
}
one_run() {
  "$launcher" replay --endpoint="$endpoint" --in="$fixture" >"$work/replay.out" 2>"$work/replay.err"
}
# The first run pays for the one-time set-up: the start-up archive made on first use.
TIMEFORMAT='%3R %3U %3S'
{ time one_run; } 2>"$work/first"
read -r first_wall first_user first_sys <"$work/first"
check first
times_file="$work/times"
: >"$times_file"
for i in $(seq 1 "$runs"); do
  { time one_run; } 2>>"$times_file"
  check "$i"
done

# Each line of $times_file: wall user sys (seconds).
summary() { # column expression, label
  awk "{ print $1 }" "$times_file" | sort -n | awk -v label="$2" '
    { v[NR] = $1 }
    END {
      median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%-5s median %.3f s  min %.3f s  max %.3f s\n", label, median, v[1], v[NR]
    }'
}
echo "first replay (makes the start-up archive): wall $first_wall s, cpu $(awk "BEGIN { print $first_user + $first_sys }") s"
echo "replay of a one-message trace into a running save, $runs runs after it:"
summary '$1' wall
summary '$2 + $3' cpu

# For scale: the same JVM printing its version, with the short commands' options and the JDK's own
# class data archive (no application classes): what any Java command line costs on this machine now.
: >"$times_file"
for _ in $(seq 1 "$runs"); do
  { time "$java" -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -version >/dev/null 2>&1; } \
    2>>"$times_file"
done
echo "java -version, $runs runs:"
summary '$1' wall
summary '$2 + $3' cpu
echo "load average after:$(uptime | sed 's/.*load average://')"

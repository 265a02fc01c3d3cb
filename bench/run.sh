#!/usr/bin/env bash
# Builds the bench module (and the core it needs) and runs the replay/save benchmark:
#   bench/run.sh [replay|save|all|big] [--messages=N] [--runs=N] [--sizes=64,512] [--peers=DIR] ...
# JAVA_HOME picks the JDK (for the build and the run), JAVA_OPTS adds JVM options (e.g. -Xmx64m).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl bench -am package -DskipTests
cp="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
# shellcheck disable=SC2086
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${JAVA_OPTS:-} -cp "$cp" dev.tracereplay.bench.Bench "$@"

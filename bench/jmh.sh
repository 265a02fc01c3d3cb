#!/usr/bin/env bash
# Builds the bench module (and the core it needs) and runs the JMH micro-benchmarks (file reader, file
# writer, header check and decoding). Arguments go to JMH, e.g.:
#   bench/jmh.sh                       every micro-benchmark
#   bench/jmh.sh TraceFileReader -prof gc
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl bench -am package -DskipTests
cp="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
# shellcheck disable=SC2086
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${JAVA_OPTS:-} -cp "$cp" org.openjdk.jmh.Main "$@"

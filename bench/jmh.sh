#!/usr/bin/env bash
# Builds tracereplay with the bench profile and runs the JMH micro-benchmarks (file reader, file
# writer, header check and decoding). Arguments go to JMH, e.g.:
#   bench/jmh.sh                       every micro-benchmark
#   bench/jmh.sh TraceFileReader -prof gc
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pbench -pl tracereplay-examples -am package -DskipTests
cp="tracereplay-examples/target/classes:$(cat tracereplay-examples/target/bench-classpath.txt)"
# shellcheck disable=SC2086
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${JAVA_OPTS:-} -cp "$cp" org.openjdk.jmh.Main "$@"

#!/usr/bin/env bash
# Builds the project and runs the soak benchmark against `tracereplay save` as a process of its own
# (see bench/src/main/java/dev/tracereplay/bench/Soak.java for the options; bench/README.md for figures).
# JAVA_HOME picks the JDK of the build and of both JVMs.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl bench -am package -DskipTests
cp="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$cp" dev.tracereplay.bench.Soak "$@"

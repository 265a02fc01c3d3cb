#!/usr/bin/env bash
# The load test with real runsc (run as root): N rounds alternating `./tracereplay save` and, with
# --peers=DIR, the C saver seqsaved; each round starts 4 sandboxes at once into the saver, then one
# alone, and prints per sandbox the messages recorded and the final dropped_count, then the medians.
#   bench/runsc-load.sh [--rounds=5] [--sandboxes=4] [--loops=200] [--peers=DIR] [--savers=java,java-warm,java-alt,c]
#                       [--alt-opts=JVM-OPTIONS] [--single=true] [--dir=DIR] [--session=own|shared] [--autogroup-nice=N]
#                       [--saver-life=round|run] [--settle=SECONDS]
# Each saver runs in a session of its own (setsid) unless --session=shared: see bench/README.md.
# Builds the project first (the launcher's jar and class path, and the bench classes).
# JAVA_HOME picks the JDK of the build and of both JVMs; TRACEREPLAY_JAVA_OPTS reaches the saver's.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Dstyle.color=never package -DskipTests
cp="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$cp" dev.tracereplay.bench.RunscLoad --launcher=./tracereplay "$@"

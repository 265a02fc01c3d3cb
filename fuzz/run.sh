#!/usr/bin/env bash
# Runs the fuzz tests of tracereplay-core (package dev.tracereplay.fuzz) in fuzzing mode, one after
# the other, each for a set time. Jazzer fuzzes one test per JVM, so each gets its own Maven run.
#
#   fuzz/run.sh                    # every fuzz test, 5 minutes each
#   fuzz/run.sh 30s                # every fuzz test, 30 seconds each
#   fuzz/run.sh 10m TraceFileReaderFuzzTest#readsAnyBytesWithAnyRecordLimit
#
# What each found is printed at the end and kept in tracereplay-core/target/fuzz/<test>.log.
# A crash is written by Jazzer as crash-<sha1> into the test's inputs directory under
# tracereplay-core/src/test/resources/dev/tracereplay/fuzz/, so that every later `mvn test` replays
# it; the inputs that increased coverage go to tracereplay-core/.cifuzz-corpus/ (not committed) and
# seed the next run. Exit status: 0 when no test found anything.
set -uo pipefail
cd "$(dirname "$0")/.."

duration="${1:-5m}"
shift || true
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  tests=(
    TraceFileReaderFuzzTest#readsAnyBytesAsRecordsOrATraceFileException
    TraceFileReaderFuzzTest#readsAnyBytesWithAnyRecordLimit
    MessageFuzzTest#headerOfAnyPacketIsReadOrMalformed
    MessageFuzzTest#payloadOfEveryTypeDecodesOrIsInvalid
    PrinterFuzzTest#anyPacketPrintsAsOneLine
    RecorderFuzzTest#anyPacketsInMemoryAreRecordedOrCloseTheClient
    RecorderFuzzTest#anyPacketsOverASocketAreRecordedOrCloseTheClient
  )
fi

logs=tracereplay-core/target/fuzz
mvn -B -q -pl tracereplay-core test-compile || exit 2
mkdir -p "$logs"

failed=0
summary=()
for test in "${tests[@]}"; do
  log="$logs/${test//#/.}.log"
  echo "Fuzzing $test for $duration (log: $log)"
  # -Djazzer.hooks=true: the comparison hooks guide the fuzzer (junit-platform.properties turns
  # them off for the plain test run). JUnit's timeouts are disabled because JUnit would apply a
  # test's @Timeout to the whole fuzzing run; Jazzer makes it each input's timeout. The test JVM's
  # heap and direct memory are capped so that an input that makes the code allocate without bound
  # fails with an OutOfMemoryError instead of filling the machine, and its logging is quietened
  # (in argLine: on Maven's own command line the property would silence Maven too).
  JAZZER_FUZZ=1 mvn -B -pl tracereplay-core surefire:test \
    -Dtest="dev.tracereplay.fuzz.$test" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.max_duration="$duration" -Djazzer.hooks=true \
    -Djunit.jupiter.execution.timeout.mode=disabled \
    -DargLine="-Xmx1g -XX:MaxDirectMemorySize=512m -Dorg.slf4j.simpleLogger.defaultLogLevel=error" \
    >"$log" 2>&1
  status=$?
  runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
  if [ $status -ne 0 ]; then
    failed=1
    summary+=("$test: FAILED (${runs:-no libFuzzer summary}); see $log")
  else
    summary+=("$test: ${runs:-no libFuzzer summary}, nothing found")
  fi
done

echo
printf '%s\n' "${summary[@]}"
exit $failed

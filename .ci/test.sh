#!/usr/bin/env bash
# Every test, on both ends of the JDKs tracereplay supports (the README's test command; .ci/run runs it):
#   1. `mvn -B verify` on the default JDK (17 here): the unit tests, the launcher's tests on the
#      built archives, the consumer project on each end of the JUnit and protobuf-java range, the
#      sources and javadoc jars.
#   2. The same on JDK 25 (TRACEREPLAY_TEST_JDK, default Temurin 25's usual place), where the
#      channel takes the FFM fast path, with the runtime image (-Pruntime-image) built and run. The
#      newest protobuf-java 4.x is the consumer project's, on both JDKs (the suite runs on the
#      declared 3.25.x: two of its tests compare with protobuf's own parser and message text).
#   3. .ci/reproducible.sh: two builds of this commit give identical jars and archives.
set -euo pipefail
cd "$(dirname "$0")/.."

jdk25=${TRACEREPLAY_TEST_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$jdk25/bin/java" ]; then
  echo ".ci/test.sh: no JDK 25 at $jdk25 (set TRACEREPLAY_TEST_JDK to one)" >&2
  exit 1
fi

echo "=== JDK $(java -version 2>&1 | head -1): mvn -B verify"
mvn -B verify
echo "=== JDK 25 ($jdk25), with the runtime image"
JAVA_HOME=$jdk25 mvn -B verify -Pruntime-image
echo "=== reproducible builds"
.ci/reproducible.sh

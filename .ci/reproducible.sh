#!/usr/bin/env bash
# Reproducible builds: builds this commit twice, in two fresh clones at different paths (sources,
# javadoc and main jars, and the command line's archives), and compares every one byte for byte.
# Prints the SHA-256 of each and exits 1 on the first difference. Reads ~/.m2, installs nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/tracereplay-reproducible-XXXXXX)
trap 'rm -rf "$work"' EXIT

for build in first second-build; do
  git clone --quiet --no-hardlinks "$root" "$work/$build"
  (cd "$work/$build" && mvn -B -q verify -DskipTests -Dinvoker.skip >"$work/$build.log" 2>&1) \
    || { echo "the $build build failed:" >&2; tail -50 "$work/$build.log" >&2; exit 1; }
done

artifacts() { # the build's outputs, relative to its root
  (cd "$1" && find . -maxdepth 3 -path '*/target/*' \( -name '*.jar' -o -name '*.tar.gz' \) -print | sort)
}
if [ "$(artifacts "$work/first")" != "$(artifacts "$work/second-build")" ]; then
  echo "the two builds made different files:" >&2
  diff <(artifacts "$work/first") <(artifacts "$work/second-build") >&2
  exit 1
fi
status=0
while IFS= read -r file; do
  a=$(sha256sum <"$work/first/$file" | cut -d' ' -f1)
  b=$(sha256sum <"$work/second-build/$file" | cut -d' ' -f1)
  if [ "$a" = "$b" ]; then
    echo "same      $a  ${file#./}"
  else
    echo "DIFFERENT $a $b  ${file#./}"
    status=1
  fi
done < <(artifacts "$work/first")
[ "$status" -eq 0 ] && echo "reproducible: every jar and archive is the same in both builds" || echo "NOT reproducible" >&2
exit "$status"

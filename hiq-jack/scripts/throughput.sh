#!/usr/bin/env bash
# Jack throughput to an in-process KRaft broker, before and after side by side (docs/PERFORMANCE.md §17).
#
#   BEFORE=/tmp/jack-before hiq-jack/scripts/throughput.sh [rounds] [trees] [modes] [variants] [java options]
#
# AFTER: the tree to measure (default: this one); NO_BUILD=1: use what is compiled.
# BEFORE: a clone of the commit to compare with (git clone /work/main /tmp/jack-before); both trees
# are compiled here (test classes + class path, never installed). Each run is its own JVM, before
# and after alternating, so that a change of load hits both. Prints the bench's lines with uptime.
set -euo pipefail
AFTER=${AFTER:-$(cd "$(dirname "$0")/../.." && pwd)}
BEFORE=${BEFORE:-}
ROUNDS=${1:-2}
TREES=${2:-200000}
MODES=${3:-"views objects"}
# the producer settings of each run in one JVM, ";"-separated: by default the same (Jack's
# defaults) six times, the first five as warm-up (JIT and GC settle only after ~1 000 000 trees):
# read the LAST run of each JVM
VARIANTS=${4:-"linger.ms=10;linger.ms=10;linger.ms=10;linger.ms=10;linger.ms=10;linger.ms=10"}
JOPTS=${5:-"-Xmx2g"}
build() {
  (cd "$1" && mvn -B -o -q -pl hiq-jack -am -DskipTests test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/cp.txt >/dev/null)
}
run() { # tree label mode
  local j=$1/hiq-jack
  echo "=== $2 ($1) $3 $(uptime)"
  java $JOPTS -cp "$j/target/test-classes:$j/target/classes:$(cat "$j/target/cp.txt")" \
    io.hiq.jack.bench.JackThroughputBench "$TREES" 10 off noprofile "$VARIANTS" "$3" 2>/dev/null \
    | grep -v -e '^Bootstrap metadata' -e '^Formatting' || true
}
if [ -z "${NO_BUILD:-}" ]; then
  [ -n "$BEFORE" ] && build "$BEFORE"
  build "$AFTER"
fi
for r in $(seq "$ROUNDS"); do
  for m in $MODES; do
    [ -n "$BEFORE" ] && run "$BEFORE" before "$m"
    run "$AFTER" after "$m"
  done
done
echo "=== end $(uptime)"

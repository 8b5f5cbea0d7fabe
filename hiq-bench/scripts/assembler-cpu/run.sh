#!/bin/sh
# Assembler CPU per tree (thread CPU time, immune to the waiting a loaded machine adds to wall
# time) and bytes allocated per tree, before vs after, alternating JVMs; docs/PERFORMANCE.md §17.
#   BEFORE=/tmp/asm-before/hiq-bench/target/benchmarks.jar (built at 45629ea) AFTER=hiq-bench/target/benchmarks.jar
# HObj compiles against both (object sink only); HView needs the TreeView API (after only).
set -e
here=$(cd "$(dirname "$0")" && pwd)
BEFORE=${BEFORE:?jar built at the 'before' commit}; AFTER=${AFTER:?jar built now}
out=$(mktemp -d)
mkdir -p $out/before $out/after
javac -cp $BEFORE -d $out/before $here/HRun.java $here/HObj.java
javac -cp $AFTER -d $out/after $here/HRun.java $here/HObj.java $here/HView.java
for round in 1 2; do
  echo "== round $round $(uptime)"
  for nodes in 3 10; do
    printf "before  "; java -Xmx512m -cp $BEFORE:$out/before HObj $nodes
    printf "after   "; java -Xmx512m -cp $AFTER:$out/after HObj $nodes
    printf "after   "; java -Xmx512m -cp $AFTER:$out/after HView $nodes
    printf "after   "; java -Xmx512m -cp $AFTER:$out/after HView $nodes encode
  done
done
echo "== end $(uptime)"

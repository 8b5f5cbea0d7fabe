#!/bin/bash
# Start-up of the held-out hello world, to the first line of main (docs/PERFORMANCE.md section 15).
# Interleaved runs: time from the launcher's start to the first line of main, per variant; prints medians.
# usage: tomain.sh RUNS NEW_AGENT OLD_AGENT
runs=$1; new=$2; old=$3
export HIQ_HOME=/tmp/hiq-home-lean-bench
declare -A res
variants=(none old-trace new-trace new-lmk new-jack)
for i in $(seq 1 $runs); do
  for v in "${variants[@]}"; do
    t0=$(date +%s%3N)
    case $v in
      none)      out=$(java -Dt0=$t0 -cp . hello.Hello 2>&1 >/dev/null) ;;
      old-trace) out=$(java -Dt0=$t0 -javaagent:$old=conf=hello.conf -cp . hello.Hello 2>&1 >/dev/null) ;;
      new-trace) out=$(java -Dt0=$t0 -javaagent:$new=conf=hello.conf -cp . hello.Hello 2>&1 >/dev/null) ;;
      new-lmk)   out=$(LMK=1 java -Dt0=$t0 -javaagent:$new=conf=hello.conf -cp . hello.Hello 2>&1 >/dev/null) ;;
      new-jack)  out=$(JACK=1 NO_JACK_LOG=1 HIQ_KAFKA_BOOTSTRAP=127.0.0.1:1 HIQ_FLUSH_TIMEOUT=0.2 java -Dt0=$t0 -javaagent:$new=conf=hello.conf -cp . hello.Hello 2>&1 >/dev/null) ;;
    esac
    res[$v]="${res[$v]} $(echo "$out" | grep -o 'tomain=[0-9]*' | cut -d= -f2)"
  done
done
for v in "${variants[@]}"; do
  echo "$v $(echo ${res[$v]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median %s ms  min %s  max %s  n=%d", m, a[1], a[NR], NR}')"
done

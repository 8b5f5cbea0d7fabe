#!/bin/bash
# Start-up of the held-out hello world, to the first line of main (docs/PERFORMANCE.md section 15).
# Interleaved runs, per variant: the time from the launcher's start to the first line of main
# (-Dt0, printed by main as tomain=MS) and the user+system CPU time of the whole run (/usr/bin/time,
# far less disturbed by other load than wall time). Prints median (min-max) of each, and the load.
# usage: tomain.sh RUNS NEW_AGENT OLD_AGENT      (run from this directory, after javac -d . hello/Hello.java)
runs=$1; new=$2; old=$3
export HIQ_HOME=/tmp/hiq-home-startup-bench
JACK_ENV="JACK=1 NO_JACK_LOG=1 HIQ_KAFKA_BOOTSTRAP=127.0.0.1:1 HIQ_FLUSH_TIMEOUT=0.2"
declare -A tm cpu
variants=(none old-trace new-trace old-lmk new-lmk old-jack new-jack)
echo "start: $(uptime)"
for i in $(seq 1 "$runs"); do
  for v in "${variants[@]}"; do
    case $v in
      none)      envs=""; agent="" ;;
      old-trace) envs=""; agent="-javaagent:$old=conf=hello.conf" ;;
      new-trace) envs=""; agent="-javaagent:$new=conf=hello.conf" ;;
      old-lmk)   envs="LMK=1"; agent="-javaagent:$old=conf=hello.conf" ;;
      new-lmk)   envs="LMK=1"; agent="-javaagent:$new=conf=hello.conf" ;;
      old-jack)  envs="$JACK_ENV"; agent="-javaagent:$old=conf=hello.conf" ;;
      new-jack)  envs="$JACK_ENV"; agent="-javaagent:$new=conf=hello.conf" ;;
    esac
    t0=$(date +%s%3N)
    out=$(env $envs /usr/bin/time -o /tmp/hiq-tomain-time.txt -f '%U %S' java -Dt0=$t0 $agent -cp . hello.Hello 2>&1 >/dev/null)
    tm[$v]="${tm[$v]} $(echo "$out" | grep -o 'tomain=[0-9]*' | cut -d= -f2)"
    cpu[$v]="${cpu[$v]} $(tail -1 /tmp/hiq-tomain-time.txt | awk '{printf "%d", ($1+$2)*1000}')"
  done
done
med() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s ms (%s-%s, n=%d)", m, a[1], a[NR], NR}'; }
printf "%-10s  %-28s  %s\n" variant "to main: median (min-max)" "cpu user+sys: median (min-max)"
for v in "${variants[@]}"; do printf "%-10s  %-28s  %s\n" "$v" "$(echo ${tm[$v]} | med)" "$(echo ${cpu[$v]} | med)"; done
echo "end: $(uptime)"

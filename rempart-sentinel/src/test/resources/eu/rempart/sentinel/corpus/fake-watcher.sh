#!/usr/bin/env bash
# Stand-in for `rempart sentinel watch DIR --events FILE --contain suspend --json`, for testing
# bench/sentinel/SentinelBench.java before the real watcher exists. It prints the ready line, then
# on any change in DIR an alert line (also appended to FILE), and suspends (SIGSTOP) only the
# simulator processes whose command line names this DIR (a test's own temporary folder).
set -u
[ "$1 $2 $4 $6 $7 $8" = "sentinel watch --events --contain suspend --json" ] || exit 9
dir="$3"; events="$5"
stamp="$(dirname "$events")/fake.stamp"
touch "$stamp"
sleep 0.2
echo '{"type":"ready","files":1}'
while true; do
  if [ -n "$(find "$dir" -newer "$stamp" -type f -print -quit)" ]; then
    touch "$stamp"
    procs=""
    for c in /proc/[0-9]*/cmdline; do
      pid=${c#/proc/}; pid=${pid%/cmdline}
      if tr '\0' ' ' < "$c" 2>/dev/null | grep -qF -- "RansomSim.java attack --dir $dir "; then
        kill -STOP "$pid" 2>/dev/null &&
          procs="${procs:+$procs,}{\"pid\":$pid,\"command_line\":\"RansomSim\",\"action\":\"suspended\"}"
      fi
    done
    line="{\"type\":\"alert\",\"time\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)\",\"score\":99,\"indicators\":[\"fake\"],\"files\":[],\"processes\":[$procs],\"actions\":[]}"
    echo "$line"
    echo "$line" >> "$events"
  fi
  sleep 0.05
done

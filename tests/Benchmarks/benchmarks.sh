#!/usr/bin/env bash
# BenchMesh's own overhead, one command (issue 14, part 5): runs every per-area benchmark script in order, collects the
# GOAL lines each prints (tab-separated: GOAL, area, what, figure, goal, MET|SHORT, note) and prints one table, with
# the date, the machine (cores, CPU model, memory) and the load average at the start and at the end.
#   tests/Benchmarks/benchmarks.sh [--only runner,gateway,...] [--quick] [--args AREA='ARGS'] ...
#   --only      areas to run, comma-separated (default: runner, gateway, stress, scale, scale-out, in that order)
#   --quick     exports BENCHMESH_BENCH_QUICK=1 (scripts that honour it take shorter runs)
#               and gives stress-benchmark.sh short settings (2 rounds of 5 s)
#   --args      extra arguments for one area's script, e.g. --args stress='--rounds 1 --only cli' (repeatable)
# A script that is missing is skipped with a line saying so; one that fails (non-zero exit) is reported as FAILED in
# the table and the others still run. Each script's full output goes to the terminal and to a log file kept in
# $BENCHMESH_BENCH_LOGS (default: a new folder under /tmp), whose path is printed at the end.
# Exit status: 0 when every script that ran measured (SHORT goals included), 1 when a script failed, 2 for usage.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

areas=(runner gateway stress scale scale-out)
declare -A scripts=(
  [runner]=runner-benchmark.sh
  [gateway]=gateway-benchmark.sh
  [stress]=stress-benchmark.sh
  [scale]=scale-benchmark.sh
  [scale-out]=scaleout-benchmark.sh
)
declare -A quick_args=([stress]="--rounds 2 --duration 5s")
declare -A extra_args=()
only=""
quick=0

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="${2:?--only needs a list}"; shift 2 ;;
    --quick) quick=1; shift ;;
    --args)
      spec="${2:?--args needs AREA=ARGS}"; area="${spec%%=*}"
      [ -n "${scripts[$area]:-}" ] || { echo "unknown area '$area' (known: ${areas[*]})" >&2; exit 2; }
      extra_args[$area]="${spec#*=}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

selected=("${areas[@]}")
if [ -n "$only" ]; then
  selected=()
  IFS=',' read -ra wanted <<<"$only"
  for area in "${wanted[@]}"; do
    [ -n "${scripts[$area]:-}" ] || { echo "unknown area '$area' (known: ${areas[*]})" >&2; exit 2; }
    selected+=("$area")
  done
fi
[ "$quick" -eq 1 ] && export BENCHMESH_BENCH_QUICK=1

logs="${BENCHMESH_BENCH_LOGS:-$(mktemp -d /tmp/benchmesh-benchmarks.XXXXXX)}"
mkdir -p "$logs"
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
memory="$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_start="$(loadavg)"
mode=""
[ "$quick" -eq 1 ] && mode=" (quick)"
echo "BenchMesh benchmarks: ${selected[*]}$mode; logs in $logs"
echo "start $started; $(nproc) cores, ${cpu_model:-unknown CPU}, $memory; load average $load_start"

goals="$logs/goals.tsv"
: >"$goals"
failed=0
for area in "${selected[@]}"; do
  script="$here/${scripts[$area]}"
  echo
  if [ ! -f "$script" ]; then
    echo "== $area: ${scripts[$area]} is not there; skipped"
    printf 'GOAL\t%s\t(%s)\t-\t-\tSKIPPED\tscript not present\n' "$area" "${scripts[$area]}" >>"$goals"
    continue
  fi
  args=""
  [ "$quick" -eq 1 ] && args="${quick_args[$area]:-}"
  [ -n "${extra_args[$area]:-}" ] && args="$args ${extra_args[$area]}"
  echo "== $area: ${scripts[$area]}${args:+ $args} (load average $(loadavg))"
  # Word splitting of $args is wanted: they are options for the script.
  # shellcheck disable=SC2086
  bash "$script" $args 2>&1 | tee "$logs/$area.log"
  status=${PIPESTATUS[0]}
  found="$(grep -P '^GOAL\t' "$logs/$area.log" || true)"
  if [ -n "$found" ]; then
    echo "$found" >>"$goals"
  fi
  if [ "$status" -ne 0 ]; then
    failed=1
    printf 'GOAL\t%s\t(%s)\t-\t-\tFAILED\texit %s; see %s\n' "$area" "${scripts[$area]}" "$status" "$logs/$area.log" >>"$goals"
  elif [ -z "$found" ]; then
    printf 'GOAL\t%s\t(%s)\t-\t-\tFAILED\tprinted no GOAL line; see %s\n' "$area" "${scripts[$area]}" "$logs/$area.log" >>"$goals"
  fi
done

load_end="$(loadavg)"
echo
echo "BenchMesh's own overhead: $started to $(date -u '+%H:%M UTC'); $(nproc) cores, ${cpu_model:-unknown CPU}, $memory"
echo "load average at start $load_start, at end $load_end"
echo
# One Markdown table (the README's section takes it as printed); | inside a field would break a row.
python3 - "$goals" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t")[1:7] for line in open(sys.argv[1], encoding="utf-8") if line.startswith("GOAL\t")]
print("| area | what | figure | goal | result | note |")
print("|---|---|---|---|---|---|")
for row in rows:
    row += [""] * (6 - len(row))
    print("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
met = sum(1 for r in rows if len(r) > 4 and r[4] == "MET")
print(f"\n{met} of {len(rows)} goals met")
PY
echo "logs: $logs"
exit "$failed"

#!/usr/bin/env bash
# The gateway's cost (issue 14, part 2; docs/gateway.md): the cached leaderboard straight from the Leaderboard service
# against the same request through the gateway (YARP, Bearer key, rate limiter, ETag), in the same run, and p99 at a
# fixed 1,000 req/s through the gateway. Prints the GOAL lines of the one benchmark command (COMMON.md format).
#
# It builds the gateway, the Leaderboard service and the fixed-rate client in Release; starts PostgreSQL, Redis and
# RabbitMQ on private ports when nothing answers there (GW_BENCH_PG_PORT 29432, GW_BENCH_REDIS_PORT 29379,
# GW_BENCH_RABBIT_PORT 29672 + management 29673; never the shared defaults); runs both services from their build output
# as the app host configures them (connection strings, services:*:http:0, an internal token, their own appsettings.json:
# logging and telemetry as shipped); seeds the leaderboard through the service's own data path (rows in its scores table,
# which its view refresh at start publishes); creates a member API key with the operator key; measures with wrk; and
# stops exactly what it started, by PID.
#
# The rate limit stays on (its cost is part of what is measured) with a budget that allows the runs:
# Gateway:RateLimit:PermitsPerMinute = GW_BENCH_PERMITS (default 1,000,000 a minute per key; 1,000 req/s needs 60,000).
# Options (environment): GW_BENCH_DURATION (wrk seconds per run, default 10), GW_BENCH_ROUNDS (default 3; each round
# measures both sides back to back, in alternating order, and the ratio reported is the median of the rounds' ratios, so
# a noisy neighbour or a slow warm-up hurts both sides of a ratio alike), GW_BENCH_WARMUP (seconds of wrk on each path
# before the rounds, default 10), GW_BENCH_AGENTS (100), GW_BENCH_PROFILE (set: also sample the gateway's CPU with perf
# during one more run and print where it goes), GW_BENCH_GATEWAY_OUT (the gateway's build folder to run, default this
# checkout's Release output: e.g. a copy of an earlier build, to measure before and after back to back).
#
# The anchor of the gateway's cost: a bare YARP proxy (tests/Benchmarks/BenchMesh.Gateway.BareProxy: the one route and
# nothing else, the gateway's runtime settings) in front of the same service, measured in every round beside the two
# paths above: the share of direct's req/s that any YARP hop keeps on this machine in the same minute, and the gateway's
# share of that (what its features cost).
#
# The p99 at a fixed 1,000 req/s is measured with the same client against nginx serving the same body (one worker, on
# this machine, in the same minute): that is the floor the client and the machine put under any p99 here (the client's
# own schedule lag, the kernel, the neighbours), printed beside the gateway's. The goal's figure stays the gateway's
# latency from each request's intended start, as a user holding that rate would see it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
duration="${GW_BENCH_DURATION:-10}"
warmup="${GW_BENCH_WARMUP:-10}"
rounds="${GW_BENCH_ROUNDS:-3}"
agents="${GW_BENCH_AGENTS:-100}"
permits="${GW_BENCH_PERMITS:-1000000}"
export BM_INFRA_DIR="${GW_BENCH_INFRA_DIR:-/tmp/benchmesh-gateway-bench-infra}" PG_PORT="${GW_BENCH_PG_PORT:-29432}" \
  REDIS_PORT="${GW_BENCH_REDIS_PORT:-29379}" RABBIT_PORT="${GW_BENCH_RABBIT_PORT:-29672}" \
  RABBIT_MGMT_PORT="${GW_BENCH_RABBIT_MGMT_PORT:-29673}"
unset RABBIT_NODENAME BM_PG_FAST
. "$repo/deploy/local/env.sh"

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
  # Install without starting the distribution's own nginx service on port 80 (as stress-benchmark.sh does).
  $SUDO env RUNLEVEL=1 apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
  case " ${missing[*]} " in *" nginx-light "*) $SUDO service nginx stop >/dev/null 2>&1 || true ;; esac
fi
. "$here/lib/nginx.sh"

echo "building the gateway, the Leaderboard service, the bare proxy and the fixed-rate client (Release)..."
dotnet build "$here/BenchMesh.Gateway.Benchmark" -c Release -v q -nologo >/dev/null

dir="$(mktemp -d /tmp/benchmesh-gateway-bench.XXXXXX)"
pids=()
ours="$(bm_stopped_servers)"   # the servers that do not answer now are the ones this script starts, and stops
cleanup() {
  nginx_stop
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$ours" ]; then "$repo/deploy/local/down.sh" $ours >>"$dir/infra.log" 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$ours" ]; then
  echo "starting private servers ($ours) under $BM_INFRA_DIR..."
  "$repo/deploy/local/up.sh" $ours >>"$dir/infra.log" 2>&1
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
psql_() { PGPASSWORD=postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
leaderboard_db=benchmesh_gwbench_leaderboard
gateway_db=benchmesh_gwbench_gateway
for db in "$leaderboard_db" "$gateway_db"; do psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; done

token="$(openssl rand -hex 32)"
lb_port="$(free_port)"; gw_port="$(free_port)"; bare_port="$(free_port)"
lb="http://127.0.0.1:$lb_port"; gw="http://127.0.0.1:$gw_port"; bare="http://127.0.0.1:$bare_port"
common=(
  "ConnectionStrings__postgres=$BM_PG_CONNECTION" "ConnectionStrings__redis=$BM_REDIS_CONNECTION"
  "ConnectionStrings__rabbitmq=$BM_RABBIT_CONNECTION" "BenchMesh__InternalToken=$token"
)

# Leaderboard: its periodic view refresh (which also empties its Redis cache) is set to an hour, so that the cached
# page stays cached through the runs; the refresh at start publishes the seeded rows (see below: started twice).
leaderboard_out="$repo/services/Leaderboard/bin/Release/net10.0"
start_leaderboard() {
  (cd "$leaderboard_out" && exec env "${common[@]}" "ConnectionStrings__leaderboarddb=$BM_PG_CONNECTION;Database=$leaderboard_db" \
    ASPNETCORE_URLS="$lb" Leaderboard__Views__Period=01:00:00 dotnet BenchMesh.Leaderboard.dll >>"$dir/leaderboard.log" 2>&1) &
  leaderboard_pid=$!
  pids+=("$leaderboard_pid")
}
start_leaderboard

# Gateway: every service address is required; only the Leaderboard's is used here.
gateway_out="${GW_BENCH_GATEWAY_OUT:-$repo/services/Gateway/bin/Release/net10.0}"
addresses=()
for service in suites runner scoring regression stress; do addresses+=("services__${service}__http__0=http://127.0.0.1:9"); done
(cd "$gateway_out" && exec env "${common[@]}" "${addresses[@]}" "services__leaderboard__http__0=$lb" \
  "ConnectionStrings__gatewaydb=$BM_PG_CONNECTION;Database=$gateway_db" ASPNETCORE_URLS="$gw" \
  Gateway__OperatorKeyFile="$dir/operator.key" Gateway__RateLimit__PermitsPerMinute="$permits" \
  ${GW_BENCH_PROFILE:+DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0} dotnet BenchMesh.Gateway.dll >"$dir/gateway.log" 2>&1) &
gateway_pid=$!
pids+=("$gateway_pid")
(cd "$here/BenchMesh.Gateway.BareProxy/bin/Release/net10.0" && exec env BareProxy__Upstream="$lb" ASPNETCORE_URLS="$bare" \
  dotnet BenchMesh.Gateway.BareProxy.dll >"$dir/bare-proxy.log" 2>&1) &
bare_pid=$!
pids+=("$bare_pid")

wait_for() { # url, what (5 minutes: a first start migrates, and this machine may be loaded by others)
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$2 did not answer $1 within 5 minutes; logs in $dir" >&2; exit 1
}
wait_for "$lb/health" "the Leaderboard service (migrations)"
wait_for "$gw/health" "the gateway"
wait_for "$bare/health" "the bare proxy (forwarding to the Leaderboard service)"

# Seed: $agents agents, each with executions in every category over the last three weeks, in the service's own table
# (migrated by its first start); its second start refreshes the views over them. Default workspace, as the key below.
psql_ -d "$leaderboard_db" >/dev/null <<SQL
INSERT INTO leaderboard.agent_benchmark_scores (
  execution_id, run_id, agent_id, agent_name, agent_version, workspace_id, suite_id, suite_category, benchmark_id,
  benchmark_name, benchmark_category, status, execution_status, accuracy_score, speed_score, efficiency_score,
  cost_score, reliability_score, overall_score, samples, error_rate, median_latency_ms, p95_latency_ms,
  mean_tokens_per_task, mean_cost_per_task_usd, tokens_used, total_cost_usd, api_calls_made, per_iteration,
  item_outcomes, scored_at)
SELECT gen_random_uuid(), gen_random_uuid(),
  ('00000000-0000-0000-0000-' || lpad(to_hex(a), 12, '0'))::uuid, 'agent-' || a, '1.' || (a % 3), 'default',
  ('00000000-0000-0000-0001-' || lpad(to_hex(c), 12, '0'))::uuid, cat, gen_random_uuid(), 'benchmark-' || c, cat,
  'completed', 'success', random(), random(), random(), random(), random(), random(), 20, random() / 10,
  50 + random() * 100, 150 + random() * 200, 500, 0.002, 10000, 0.04, 20, '[]', '{}',
  now() - (random() * interval '21 days')
FROM generate_series(1, $agents) AS a,
  unnest(ARRAY['speed','accuracy','efficiency','reliability','cost','scalability','comprehensive']) WITH ORDINALITY AS k(cat, c),
  generate_series(1, 3) AS e;
SQL
kill -TERM "$leaderboard_pid"; wait "$leaderboard_pid" 2>/dev/null || true
start_leaderboard
wait_for "$lb/health" "the Leaderboard service"

# The API key: a member key of the default workspace, made with the operator key the gateway wrote at its first start.
operator="$(cat "$dir/operator.key")"
key="$(curl -fsS -X POST "$gw/workspaces/default/keys" -H "Authorization: Bearer $operator" -H 'Content-Type: application/json' \
  -d '{"name":"gateway-benchmark","role":"member"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
key_id="$(echo "$key" | cut -d_ -f2)"
# What the gateway sends the service for that key: the direct runs send the same headers.
direct_headers=(-H "X-BenchMesh-Workspace: default" -H "X-BenchMesh-Role: member" -H "X-BenchMesh-Key-Id: $key_id"
  -H "X-BenchMesh-Internal-Token: $token")
gateway_headers=(-H "Authorization: Bearer $key")

for _ in $(seq 1 120); do
  entries="$(curl -fsS "${direct_headers[@]}" "$lb/benchmarks/leaderboard?limit=100" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')"
  [ "$entries" -gt 0 ] && break
  sleep 0.5
done
[ "$entries" -gt 0 ] || { echo "the leaderboard stayed empty; logs in $dir" >&2; exit 1; }
size_default="$(curl -fsS "${gateway_headers[@]}" "$gw/benchmarks/leaderboard" | wc -c)"
size_100="$(curl -fsS "${gateway_headers[@]}" "$gw/benchmarks/leaderboard?limit=100" | wc -c)"

load() { cut -d' ' -f1-3 /proc/loadavg; }
# wrk -t2 -c10 for $duration s: prints "req/s p50 p99" (wrk's own latency figures, in ms).
run_wrk() { # url, headers...
  local url="$1"; shift
  wrk -t2 -c10 -d"${duration}s" --timeout 10s --latency "$@" "$url" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(name):
    m = re.search(r"^\s*" + name + r"\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if non2xx: sys.exit("wrk saw %s non-2xx answers:\n%s" % (non2xx.group(1), text))
print("%.1f %.3f %.3f %d" % (float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1)), ms("50%"), ms("99%"),
                             int(re.search(r"(\d+) requests in", text).group(1))))'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# CPU per request, by process: less sensitive to a busy machine than req/s (a process that gets a smaller share of the
# cores serves fewer requests, but each one costs about the same CPU). Ticks (utime + stime, /proc/PID/stat) of the
# gateway, the Leaderboard service, PostgreSQL (the listener and its backends: the key lookup) and Redis (the cached
# page), read before and after each wrk run.
listener_pid() { ss -ltnpH "sport = :$1" | grep -oP 'pid=\K[0-9]+' | head -n 1; }
pg_pid="$(listener_pid "$PG_PORT")"; redis_pid="$(listener_pid "$REDIS_PORT")"
echo "  pids: gateway $gateway_pid, leaderboard $leaderboard_pid, postgres $pg_pid, redis $redis_pid" >>"$dir/infra.log"
ticks() { # pid... -> summed utime + stime
  local total=0 pid fields
  for pid in "$@"; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue   # an empty pid would read /proc//stat, the whole machine's
    fields="$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null)" || continue
    total=$((total + $(echo "$fields" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
cpu_snapshot() { # -> "gateway leaderboard postgres redis bare-proxy" ticks
  echo "$(ticks "$gateway_pid") $(ticks "$leaderboard_pid") $(ticks "$pg_pid" $(pgrep -P "$pg_pid")) $(ticks "$redis_pid") $(ticks "$bare_pid")"
}
cpu_per_request() { # before after requests -> "gw lb pg redis bare" in microseconds of CPU per request
  python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'PY'
import sys
before, after = (list(map(int, s.split())) for s in sys.argv[1:3]); requests, hz = float(sys.argv[3]), int(sys.argv[4])
print(" ".join("%.0f" % ((a - b) / hz * 1e6 / requests) for b, a in zip(before, after)))
PY
}

echo
echo "Gateway benchmark: $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(load)"
echo "  leaderboard: $entries entries at limit=100 ($size_100 bytes), $size_default bytes at the default limit (20); Redis-cached"
echo "  wrk -t2 -c10, ${duration} s per run, $rounds rounds, direct, gateway and bare proxy in turn; rate limit on, $permits permits a minute"
declare -A rps p50 p99 gw_cpu pg_cpu bare_cpu ratios bare_ratios
measure() { # side (direct|gateway|bare), query, round: one wrk run with the CPU each process spent per request
  local side="$1" query="$2" round="$3" url headers r a b n c_gw c_lb c_pg c_redis c_bare before
  case "$side" in
    direct) url="$lb/benchmarks/leaderboard$query"; headers=("${direct_headers[@]}") ;;
    bare) url="$bare/benchmarks/leaderboard$query"; headers=("${direct_headers[@]}") ;;
    *) url="$gw/benchmarks/leaderboard$query"; headers=("${gateway_headers[@]}") ;;
  esac
  before="$(cpu_snapshot)"
  read -r r a b n <<<"$(run_wrk "$url" "${headers[@]}")"
  read -r c_gw c_lb c_pg c_redis c_bare <<<"$(cpu_per_request "$before" "$(cpu_snapshot)" "$n")"
  rps[$side$query]+="$r "; p50[$side$query]+="$a "; p99[$side$query]+="$b "; last_rps="$r"
  if [ "$side" = direct ]; then
    printf '  round %d %-12s direct  %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU µs/req: service %s, postgres %s, redis %s  load %s\n' \
      "$round" "${query:-default}" "$r" "$a" "$b" "$c_lb" "$c_pg" "$c_redis" "$(load)"
  elif [ "$side" = bare ]; then
    bare_cpu[q$query]+="$c_bare "
    printf '  round %d %-12s bare    %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU µs/req: bare proxy %s, service %s, redis %s  load %s\n' \
      "$round" "${query:-default}" "$r" "$a" "$b" "$c_bare" "$c_lb" "$c_redis" "$(load)"
  else
    gw_cpu[q$query]+="$c_gw "; pg_cpu[q$query]+="$c_pg "
    printf '  round %d %-12s gateway %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU µs/req: gateway %s, service %s, postgres %s, redis %s  load %s\n' \
      "$round" "${query:-default}" "$r" "$a" "$b" "$c_gw" "$c_lb" "$c_pg" "$c_redis" "$(load)"
  fi
}
for query in "" "?limit=100"; do
  # Warm-up of both paths (JIT, caches, connection pools), each path in turn twice: the service serves both, and its
  # first seconds under load were still compiling (a first direct round at a fifth of the second's rate, before this).
  # One request first, so that Redis holds the page before ten connections ask for it at once.
  curl -fsS -o /dev/null "${direct_headers[@]}" "$lb/benchmarks/leaderboard$query"
  for _ in 1 2; do
    wrk -t2 -c10 -d"$((warmup / 2 + 1))s" "${direct_headers[@]}" "$lb/benchmarks/leaderboard$query" >/dev/null
    wrk -t2 -c10 -d"$((warmup / 2 + 1))s" "${gateway_headers[@]}" "$gw/benchmarks/leaderboard$query" >/dev/null
    wrk -t2 -c10 -d"$((warmup / 2 + 1))s" "${direct_headers[@]}" "$bare/benchmarks/leaderboard$query" >/dev/null
  done
  for round in $(seq 1 "$rounds"); do
    # The sides back to back, in alternating order (direct and gateway next to each other either way); the round's
    # ratios pair them.
    if [ $((round % 2)) -eq 1 ]; then
      measure direct "$query" "$round"; d="$last_rps"; measure gateway "$query" "$round"; g="$last_rps"
      measure bare "$query" "$round"; b="$last_rps"
    else
      measure bare "$query" "$round"; b="$last_rps"; measure gateway "$query" "$round"; g="$last_rps"
      measure direct "$query" "$round"; d="$last_rps"
    fi
    ratios[q$query]+="$(python3 -c "print('%.4f' % ($g / $d))") "
    bare_ratios[q$query]+="$(python3 -c "print('%.4f' % ($b / $d))") "
  done
done

if [ -n "${GW_BENCH_PROFILE:-}" ]; then
  # Where the gateway's CPU goes: perf's CPU-clock samples of the gateway process (call graphs; the runtime writes
  # /tmp/perf-PID.map for JIT-compiled methods: DOTNET_PerfMapEnabled, with W^X off so that perf sees the code where the
  # map says it is) during one more wrk run through it.
  # Printed: the symbols with the most samples, self and with their callees (perf report's "children").
  command -v perf >/dev/null 2>&1 || { echo "GW_BENCH_PROFILE needs perf (apt-get install linux-perf)" >&2; exit 1; }
  perf record -e cpu-clock -F 999 -g -p "$gateway_pid" -o "$dir/gateway.perf" -- sleep 8 >"$dir/perf.log" 2>&1 &
  perf_pid=$!
  wrk -t2 -c10 -d8s "${gateway_headers[@]}" "$gw/benchmarks/leaderboard" >/dev/null
  wait "$perf_pid" || true
  echo "  profile of the gateway under wrk: $dir/gateway.perf (perf report -i it). CPU by binary, then the symbols with"
  echo "  the most samples (self), then with their callees (inclusive):"
  # awk, not head, keeps the first lines: head would close the pipe early and, under pipefail, end the script (141).
  # The padding and empty columns perf prints after each symbol are cut.
  report() { perf report -i "$dir/gateway.perf" --stdio "$@" 2>/dev/null | grep -E '^ +[0-9]' | sed -E 's/^/    /; s/ +(- +- *)?$//'; }
  report --no-children --sort dso --percent-limit 1 -g none
  report --no-children --sort symbol --percent-limit 0.7 -g none | awk 'NR <= 25'
  report --children --sort symbol --percent-limit 4 -g none | grep -v ' 0x0000' | awk 'NR <= 40'
fi

# p99 at a fixed 1,000 req/s: first the same client against nginx serving the same body (the floor this client and this
# machine put under any p99 now), then through the gateway. Each line: latency from the intended start (the figure),
# service time (request written to answer read), the client's own schedule lag, and the client's CPU per request.
# A folder of its own that nginx's worker (not root) can read; $dir stays private (mktemp's 0700).
nginx_dir="$(mktemp -d /tmp/benchmesh-gateway-bench-nginx.XXXXXX)"; chmod 755 "$nginx_dir"; mkdir -p "$nginx_dir/www"
curl -fsS "${gateway_headers[@]}" "$gw/benchmarks/leaderboard" >"$nginx_dir/www/leaderboard.json"
nginx_port="$(free_port)"
nginx_write_config "$nginx_dir" "$nginx_port" "root $nginx_dir/www; default_type application/json;"
nginx_start "$nginx_dir"
wait_for "http://127.0.0.1:$nginx_port/leaderboard.json" "nginx"
fixed_rate() { # url [--bearer key]
  dotnet "$here/BenchMesh.Gateway.Benchmark/bin/Release/net10.0/BenchMesh.Gateway.Benchmark.dll" --url "$@" --rate 1000 --duration 20s
}
field() { awk -v name="$1" '{for (i = 1; i < NF; i++) if ($i == name) print $(i + 1)}'; }
echo "  fixed rate, 1,000 req/s, 20 s, open model (the load engine's constant-arrival-rate), the default page:"
floor="$(fixed_rate "http://127.0.0.1:$nginx_port/leaderboard.json")"
echo "    nginx, same body (floor): $floor   load $(load)"
nginx_stop
fixed="$(fixed_rate "$gw/benchmarks/leaderboard" --bearer "$key")"
echo "    through the gateway:      $fixed   load $(load)"
fixed_p99="$(echo "$fixed" | field p99)"; achieved="$(echo "$fixed" | field achieved)"
floor_p99="$(echo "$floor" | field p99)"; lag_p99="$(echo "$fixed" | field lag-p99)"; service_p99="$(echo "$fixed" | field service-p99)"

echo
after="$(load)"
for query in "" "?limit=100"; do
  d="$(echo ${rps[direct$query]} | tr ' ' '\n' | median)"; g="$(echo ${rps[gateway$query]} | tr ' ' '\n' | median)"
  dp="$(echo ${p50[direct$query]} | tr ' ' '\n' | median)"; gp="$(echo ${p50[gateway$query]} | tr ' ' '\n' | median)"
  gc="$(echo ${gw_cpu[q$query]} | tr ' ' '\n' | median)"; pc="$(echo ${pg_cpu[q$query]} | tr ' ' '\n' | median)"
  bc="$(echo ${bare_cpu[q$query]} | tr ' ' '\n' | median)"
  python3 - "$d" "$g" "$dp" "$gp" "${query:-default limit}" "$after" "$duration" "$rounds" "$gc" "$pc" "${ratios[q$query]}" "${bare_ratios[q$query]}" "$bc" <<'PY'
import statistics, sys
d, g, dp, gp = map(float, sys.argv[1:5]); what, load, duration, rounds, gc, pc = sys.argv[5:11]
ratios = [float(r) for r in sys.argv[11].split()]
bare = [float(r) for r in sys.argv[12].split()]
bc = sys.argv[13]
ratio = statistics.median(ratios)
# The anchor: a bare YARP hop's share of direct, and the gateway's share of the bare hop, each a median of the rounds'
# own ratios (the gateway's / the bare proxy's within a round is its ratio to direct over the bare proxy's).
print("ANCHOR\tgateway\ta bare YARP proxy (one route, nothing else) / direct, %s\t%.2fx (rounds %s); the gateway / the bare proxy %.2fx; bare proxy CPU %s µs/req against the gateway's %s"
      % (what.replace("?", ""), statistics.median(bare), " / ".join("%.2fx" % r for r in bare),
         statistics.median([g_ / b_ for g_, b_ in zip(ratios, bare)]), bc, gc))
print("GOAL\tgateway\tcached leaderboard (%s) req/s through the gateway / direct, 10 connections\t%.2fx (median of rounds %s; medians %s / %s req/s)\t>= 0.75x\t%s\twrk -t2 -c10, %s rounds of %s s, direct and gateway back to back in alternating order; p50 %.2f vs %.2f ms; gateway CPU %s µs/req + key lookup in postgres %s µs/req; a bare YARP proxy on the same path: %.2fx of direct; load %s"
      % (what.replace("?", ""), ratio, " / ".join("%.2fx" % r for r in ratios), f"{g:,.0f}", f"{d:,.0f}", "MET" if ratio >= 0.75 else "SHORT", rounds, duration, gp, dp, gc, pc, statistics.median(bare), load))
PY
done
python3 - "$fixed_p99" "$achieved" "$after" "$floor_p99" "$service_p99" "$lag_p99" <<'PY'
import sys
p99, achieved, load = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
floor, service, lag = map(float, sys.argv[4:7])
print("GOAL\tgateway\tp99 at a fixed 1,000 req/s through the gateway (cached leaderboard)\t%.2f ms\t<= 5 ms\t%s\topen model, 20 s, achieved %.1f req/s; rate limit 1,000,000/min per key; same client against nginx with the same body: p99 %.2f ms; gateway service-time p99 %.2f ms, client schedule lag p99 %.2f ms; load %s"
      % (p99, "MET" if p99 <= 5 else "SHORT", achieved, floor, service, lag, load))
PY
echo "logs: $dir"

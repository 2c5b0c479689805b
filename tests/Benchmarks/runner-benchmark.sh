#!/usr/bin/env bash
# The runner's benchmark (issue 14, part 1): how fast one runner worker calls an agent, and how honestly it times it,
# each against an anchor measured in the same run on the same machine.
#  1. Throughput: nginx (one worker) answers {"output":"5"} to every POST; wrk -t1 POSTs to it at concurrency 1, 8, 32
#     and 64, and so does the runner (tests/Benchmarks/BenchMesh.Runner.Benchmark: BenchmarkExecutor + the http-json
#     client composed as the Runner composes them). Goal: the runner's best calls/s >= 0.40x wrk's best req/s.
#  2. Timing: a 50 ms agent nobody here wrote (Node's http server answering after setTimeout 50 ms); hey (Debian's
#     package) and the runner at concurrency 1, 32 and 64. Goals: runner median - hey median <= 0.2 ms at 1, <= 1 ms at
#     32 and 64; runner calls/s >= 0.95x hey's at 32.
#  3. Profile (docs/timing.md): the runner at concurrency 1 on nginx on its socket path, on the HttpClient path it
#     replaced, and with no agent call at all (the executor's own cost per call).
#  4. Worker path (docs/timing.md): the same nginx through a real Runner worker fed through RabbitMQ (--path worker:
#     private PostgreSQL, RabbitMQ and Redis on free ports, Suites and one Runner from their Release build output, a run
#     started through the Runner's API), calls/s from the worker's started_at to its results' commit, at
#     concurrency 32 and 64. Goal: its best >= 0.40x wrk's best req/s of part 1.
# Prints COMMON.md's GOAL lines. Installs nginx-light, wrk and hey from Debian's packages when missing (and PostgreSQL,
# RabbitMQ and Redis through deploy/local/install.sh); starts nginx, the Node agent and the private servers on free
# loopback ports and stops exactly those (by pid; the servers with deploy/local/down.sh on their own folder and ports).
# Exits 0 when a goal is SHORT, non-zero only when a measurement failed. RUNNER_BENCH_SECONDS (default 5) sets each
# throughput measurement's length; RUNNER_BENCH_WORKER=0 leaves part 4 out.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
seconds="${RUNNER_BENCH_SECONDS:-5}"

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v hey >/dev/null 2>&1 || missing+=(hey)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
  # Without starting the distribution's own nginx service on port 80.
  $SUDO env RUNLEVEL=1 apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
  case " ${missing[*]} " in *" nginx-light "*) $SUDO service nginx stop >/dev/null 2>&1 || true ;; esac
fi
. "$here/lib/nginx.sh"
worker="${RUNNER_BENCH_WORKER:-1}"
[ "$worker" = 0 ] || "$repo/deploy/local/install.sh" >/dev/null   # PostgreSQL, RabbitMQ, Redis for part 4 when missing
. "$here/lib/ports.sh"   # free loopback ports now; RabbitMQ's from 20000-45535 (its distribution port is 20000 above)

dir="$(mktemp -d /tmp/benchmesh-runner-bench.XXXXXX)"
nginx_port="$(free_port)"
node_port="$(free_port)"
nginx_write_config "$dir" "$nginx_port" "default_type application/json; return 200 '{\"output\":\"5\"}';"
cat > "$dir/agent50.js" <<'JS'
// Answers every request {"output":"5"} 50 ms after reading it (keep-alive, Node's own http server).
const port = Number(process.argv[2]);
require('http').createServer((req, res) => {
  req.resume();
  req.on('end', () => setTimeout(() => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"output":"5"}');
  }, 50));
}).listen(port, '127.0.0.1', () => console.log('listening ' + port));
JS
body='{"input":"What is 2 + 3?","configuration":{}}'
cat > "$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA

nginx_start "$dir"
node "$dir/agent50.js" "$node_port" > "$dir/node.log" 2>&1 &
node_pid=$!
cleanup() {
  nginx_stop
  kill -TERM "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 100); do
  curl -fs -X POST "http://127.0.0.1:$nginx_port/" >/dev/null 2>&1 && curl -fs -X POST "http://127.0.0.1:$node_port/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs -X POST "http://127.0.0.1:$nginx_port/" >/dev/null || { echo "nginx did not start:"; cat "$dir/error.log"; exit 1; }
curl -fs -X POST "http://127.0.0.1:$node_port/" >/dev/null || { echo "the Node agent did not start:"; cat "$dir/node.log"; exit 1; }

dotnet build "$repo/tests/Benchmarks/BenchMesh.Runner.Benchmark" -c Release -v q -nologo >/dev/null
bench=(dotnet "$repo/tests/Benchmarks/BenchMesh.Runner.Benchmark/bin/Release/net10.0/BenchMesh.Runner.Benchmark.dll")
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $machine; load average $(load)"
echo "nginx on 127.0.0.1:$nginx_port, the 50 ms Node agent on 127.0.0.1:$node_port"

# 1. Throughput.
wrk_best=0; wrk_best_c=0
for c in 1 8 32 64; do
  rps="$(wrk -t1 -c"$c" -d"${seconds}s" -s "$dir/post.lua" "http://127.0.0.1:$nginx_port/" | awk '/Requests\/sec/ {print $2}')"
  echo "wrk c=$c: $rps req/s"
  if python3 -c "import sys; sys.exit(0 if $rps > $wrk_best else 1)"; then wrk_best="$rps"; wrk_best_c="$c"; fi
done
throughput_load="$(load)"
"${bench[@]}" --url "http://127.0.0.1:$nginx_port/" --concurrency 1,8,32,64 --seconds "$seconds" | tee "$dir/runner.txt" | grep -v '^RESULT'
read -r runner_best runner_best_c < <(awk -F'\t' '/^RESULT/ {print $4, $3}' "$dir/runner.txt" | sort -g -r | head -n1)

# 4. Worker path, right after the anchor it is compared with.
worker_best=0; worker_best_c=0; worker_load="(not run)"
if [ "$worker" != 0 ]; then
  "${bench[@]}" --url "http://127.0.0.1:$nginx_port/" --concurrency 32,64 --seconds "$seconds" --path worker \
    --pg-port "$(free_port)" --redis-port "$(free_port)" --rabbit-port "$(free_rabbit_port)" --rabbit-mgmt-port "$(free_port)" \
    | tee "$dir/worker.txt" | grep -v '^RESULT'
  read -r worker_best worker_best_c < <(awk -F'\t' '/^RESULT/ {print $4, $3}' "$dir/worker.txt" | sort -g -r | head -n1)
  worker_load="$(load)"
fi

# 3. Profile at concurrency 1 (where the per-call cost shows undiluted).
for path in socket httpclient none; do
  "${bench[@]}" --url "http://127.0.0.1:$nginx_port/" --concurrency 1 --seconds 3 --path "$path" | tee -a "$dir/profile.txt" | grep -v '^RESULT'
done

# 2. Timing on the 50 ms agent.
hey_run() { # concurrency, requests -> "median_ms calls_per_s"
  hey -c "$1" -n "$2" -m POST -T application/json -d "$body" "http://127.0.0.1:$node_port/" > "$dir/hey.txt"
  awk '/Requests\/sec/ {rps=$2} /50% in/ {median=$3*1000} END {printf "%.4f %.1f\n", median, rps}' "$dir/hey.txt"
}
declare -A hey_median hey_rps runner_median runner_rps
for c in 1 32 64; do
  calls=$(( c == 1 ? 200 : c * 100 ))
  read -r hey_median[$c] hey_rps[$c] < <(hey_run "$c" "$calls")
  "${bench[@]}" --url "http://127.0.0.1:$node_port/" --concurrency "$c" --calls "$calls" > "$dir/timing.txt"
  grep -v '^RESULT' "$dir/timing.txt"
  read -r runner_rps[$c] runner_median[$c] < <(awk -F'\t' '/^RESULT/ {print $4, $5}' "$dir/timing.txt")
  echo "hey c=$c: median ${hey_median[$c]} ms, ${hey_rps[$c]} req/s"
done
timing_load="$(load)"

python3 - "$wrk_best" "$wrk_best_c" "$runner_best" "$runner_best_c" "$throughput_load" "$timing_load" \
  "${hey_median[1]}" "${runner_median[1]}" "${hey_median[32]}" "${runner_median[32]}" "${hey_median[64]}" "${runner_median[64]}" \
  "${hey_rps[32]}" "${runner_rps[32]}" "$worker_best" "$worker_best_c" "$worker_load" <<'PY'
import sys
a = sys.argv[1:]
wrk, wrk_c, runner, runner_c = float(a[0]), a[1], float(a[2]), a[3]
tload, hload = a[4], a[5]
def goal(what, figure, target, met, note):
    print("\t".join(["GOAL", "runner", what, figure, target, "MET" if met else "SHORT", note]))
ratio = runner / wrk
goal("one worker's calls/s on a trivial agent vs wrk, best concurrency of each",
     f"{ratio:.2f}x ({runner:,.0f} / {wrk:,.0f} req/s)", ">= 0.40x", ratio >= 0.40,
     f"runner best at c={runner_c}, wrk -t1 at c={wrk_c}; nginx 1 worker; BenchmarkExecutor + http-json client as composed by the Runner (not through the bus/API); load {tload}")
for c, limit, i in (("1", 0.2, 6), ("32", 1.0, 8), ("64", 1.0, 10)):
    hey_m, run_m = float(a[i]), float(a[i + 1])
    d = run_m - hey_m
    goal(f"median latency minus hey's on a 50 ms Node agent, concurrency {c}", f"{d:+.2f} ms ({run_m:.2f} vs {hey_m:.2f} ms)",
         f"<= {limit:g} ms", d <= limit, f"runner latency = request written to last byte; load {hload}")
hey_rps, run_rps = float(a[12]), float(a[13])
r = run_rps / hey_rps
goal("calls/s vs hey on the 50 ms agent at concurrency 32", f"{r:.2f}x ({run_rps:,.0f} / {hey_rps:,.0f})", ">= 0.95x", r >= 0.95, f"load {hload}")
worker, worker_c, wload = float(a[14]), a[15], a[16]
if worker > 0:
    w = worker / wrk
    goal("worker through RabbitMQ calls/s vs wrk", f"{w:.2f}x ({worker:,.0f} / {wrk:,.0f} req/s)", ">= 0.40x", w >= 0.40,
         f"a run started through the Runner's API, one Runner worker, best at c={worker_c}; calls/s from the worker's started_at "
         f"to the commit of its results (executing, storing samples + BenchmarkExecuted); wrk -t1 at c={wrk_c}; load {wload}")
PY

#!/usr/bin/env bash
# The dashboard's browser tests (docs/dashboard.md, "Testing"): starts a private BenchMesh the way ./run.sh does (the
# Aspire app host from the Release build) on its own gateway, sample-agent and Aspire ports, its own databases
# (bmt_<run>_browser_*), RabbitMQ virtual host and Redis key prefix; runs the demo through the CLI; builds the
# dashboard; runs the Playwright tests in Debian's Chromium (screenshots under test-results/screenshots/); and stops
# and removes what it started, by PID and by this run's names, whatever happens.
#
# Infrastructure: the servers BENCHMESH_TEST_POSTGRES, BENCHMESH_TEST_RABBITMQ, BENCHMESH_TEST_RABBITMQ_MANAGEMENT and
# BENCHMESH_TEST_REDIS name (./test.sh exports them), else deploy/local/env.sh's defaults; they must be running.
#   BENCHMESH_DASHBOARD_SOURCE  the dashboard's npm project (default services/Dashboard)
#   BM_BROWSER_NO_BUILD=1       use the Release build as it is (./test.sh has just built it)
#   CHROMIUM_PATH               the browser (default /usr/bin/chromium, Debian's package `chromium`)
#   BM_BROWSER_FIRST_VIEW_RUNS=N after the tests, also measure the first view on the same stack (first-view.mjs --runs N)
# Extra arguments go to `playwright test`. With --first-view as the first argument, the same stack and data are measured
# instead of tested: first-view.mjs (the dashboard's first-view timings) gets the remaining arguments (e.g. --runs 20).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
. deploy/local/env.sh
PG=${BENCHMESH_TEST_POSTGRES:-$BM_PG_CONNECTION}
RABBIT=${BENCHMESH_TEST_RABBITMQ:-$BM_RABBIT_CONNECTION}
RABBIT_MANAGEMENT=${BENCHMESH_TEST_RABBITMQ_MANAGEMENT:-$BM_RABBIT_MANAGEMENT}
REDIS=${BENCHMESH_TEST_REDIS:-$BM_REDIS_CONNECTION}
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
DASHBOARD_SOURCE=$(cd "${BENCHMESH_DASHBOARD_SOURCE:-services/Dashboard}" && pwd)
[ -x "$CHROMIUM_PATH" ] || { echo "no browser at $CHROMIUM_PATH: install Debian's chromium (deploy/local/install.sh does)"; exit 1; }

RUN_ID=$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')
WORK=$(mktemp -d "/tmp/bm-browser-$RUN_ID.XXXX")
DB_PREFIX="bmt_${RUN_ID}_browser_"
VHOST="bmt-${RUN_ID}-browser"
CACHE_PREFIX="bmt:${RUN_ID}:browser:"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
GATEWAY_PORT=$(free_port); SAMPLE_PORT=$(free_port); ASPIRE_PORT=$(free_port); OTLP_PORT=$(free_port)
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"
SAMPLE_AGENTS="http://127.0.0.1:$SAMPLE_PORT"
KEY_FILE="$WORK/admin-key"
LOG="$WORK/apphost.log"

# The PostgreSQL connection string's parts, for psql (over TCP with the password it names).
pg_part() { echo "$PG" | tr ';' '\n' | sed -n "s/^$1=//Ip" | head -n1; }
psql_admin() {
  PGPASSWORD=$(pg_part Password) "$PG_BIN/psql" -h "$(pg_part Host)" -p "$(pg_part Port)" -U "$(pg_part Username)" -d postgres -qtAc "$1"
}
RABBIT_USER=$(echo "$RABBIT" | sed -E 's|^amqps?://([^:@]*):([^@]*)@.*|\1|')
RABBIT_PASS=$(echo "$RABBIT" | sed -E 's|^amqps?://([^:@]*):([^@]*)@.*|\2|')

APPHOST_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$APPHOST_PID" ] && kill -0 "$APPHOST_PID" 2>/dev/null; then
    kill -TERM "$APPHOST_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$APPHOST_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$APPHOST_PID" 2>/dev/null || true
  fi
  for db in $(psql_admin "SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX//_/\\_}%'" 2>/dev/null || true); do
    psql_admin "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  curl -s -o /dev/null -u "$RABBIT_USER:$RABBIT_PASS" -X DELETE "$RABBIT_MANAGEMENT/api/vhosts/$VHOST" || true
  redis-cli -u "redis://$REDIS" --scan --pattern "${CACHE_PREFIX}*" 2>/dev/null | xargs -r redis-cli -u "redis://$REDIS" del >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ] && [ -f "$LOG" ]; then echo "app host log (last 40 lines of $LOG):"; tail -n 40 "$LOG"; fi
  [ "$rc" -eq 0 ] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
say() { echo "[browser $(( $(date +%s) - started ))s] $*"; }

if [ "${BM_BROWSER_NO_BUILD:-0}" != 1 ]; then
  say "building the app host and the CLI (Release)..."
  dotnet build AppHost/BenchMesh.AppHost.csproj -c Release -v q -nologo | grep -E " error |rror\(s\)" || true
  dotnet build cli/BenchMesh.Cli/BenchMesh.Cli.csproj -c Release -v q -nologo | grep -E " error |rror\(s\)" || true
fi
say "building the dashboard..."
deploy/local/build-dashboard.sh "$DASHBOARD_SOURCE"
(cd "$HERE" && { [ -d node_modules/@playwright/test ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
  || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error; })

{ curl -sf -o /dev/null -u "$RABBIT_USER:$RABBIT_PASS" -X PUT -H "content-type: application/json" -d '{}' "$RABBIT_MANAGEMENT/api/vhosts/$VHOST" \
  && curl -sf -o /dev/null -u "$RABBIT_USER:$RABBIT_PASS" -X PUT -H "content-type: application/json" \
    -d '{"configure":".*","write":".*","read":".*"}' "$RABBIT_MANAGEMENT/api/permissions/$VHOST/$RABBIT_USER"; } \
  || { echo "RabbitMQ's management API at $RABBIT_MANAGEMENT did not create the virtual host $VHOST: is RabbitMQ running?"; exit 1; }

say "starting the app host on $GATEWAY (run $RUN_ID, log $LOG)..."
# One runner replica instead of run.sh's two: the demo's runs are small, and the machine running the tests is also
# running the browser. setsid: the app host and the processes it starts get their own process group, away from this shell's job control.
ASPNETCORE_URLS="http://127.0.0.1:$ASPIRE_PORT" \
ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://127.0.0.1:$OTLP_PORT" \
ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
Logging__LogLevel__Default=Warning \
  setsid dotnet run --project AppHost/BenchMesh.AppHost.csproj -c Release --no-build --no-launch-profile -- \
  "--BenchMesh:Postgres=$PG" "--BenchMesh:DatabasePrefix=$DB_PREFIX" "--BenchMesh:RabbitMq=$RABBIT/$VHOST" \
  "--BenchMesh:Redis=$REDIS" "--BenchMesh:CacheKeyPrefix=$CACHE_PREFIX" "--BenchMesh:GatewayPort=$GATEWAY_PORT" \
  "--BenchMesh:SampleAgentsPort=$SAMPLE_PORT" "--BenchMesh:DashboardPath=$DASHBOARD_SOURCE/dist" \
  "--BenchMesh:OperatorKeyFile=$KEY_FILE" "--BenchMesh:RunnerReplicas=1" \
  > "$LOG" 2>&1 &
APPHOST_PID=$!

# Up when the API answers (with the operator key once the gateway writes one) and the sample agents are healthy.
key_header() { if [ -s "$KEY_FILE" ]; then echo "Authorization: Bearer $(cat "$KEY_FILE")"; else echo "X-No-Key: 1"; fi; }
up=0
for _ in $(seq 1 300); do
  # -m: a gateway that accepts the connection but does not answer yet must not hold the loop (it did, 29 min at load 120).
  if curl -sf -m 10 -o /dev/null -H "$(key_header)" "$GATEWAY/benchmarks/leaderboard" && curl -sf -m 10 -o /dev/null "$SAMPLE_AGENTS/health"; then up=1; break; fi
  kill -0 "$APPHOST_PID" 2>/dev/null || { echo "the app host exited"; exit 1; }
  sleep 1
done
[ "$up" = 1 ] || { echo "the gateway did not answer within 300 s"; exit 1; }
export BENCHMESH_API_KEY=""
[ -s "$KEY_FILE" ] && BENCHMESH_API_KEY=$(cat "$KEY_FILE")
say "up; running the demo..."
dotnet cli/BenchMesh.Cli/bin/Release/net10.0/benchmesh.dll demo --gateway "$GATEWAY" --sample-agents "$SAMPLE_AGENTS" > "$WORK/demo.log" 2>&1 \
  || { echo "the demo failed:"; cat "$WORK/demo.log"; exit 1; }
grep -E "^stress run|Regressions of" "$WORK/demo.log" || true

cd "$HERE"
if [ "${1:-}" = "--first-view" ]; then
  shift
  say "measuring the first view..."
  BENCHMESH_GATEWAY_URL="$GATEWAY" CHROMIUM_PATH="$CHROMIUM_PATH" node first-view.mjs "$@"
  exit
fi
say "running the browser tests..."
set +e
BENCHMESH_GATEWAY_URL="$GATEWAY" CHROMIUM_PATH="$CHROMIUM_PATH" npx --no-install playwright test "$@"
status=$?
if [ -n "${BM_BROWSER_FIRST_VIEW_RUNS:-}" ]; then
  say "measuring the first view..."
  BENCHMESH_GATEWAY_URL="$GATEWAY" CHROMIUM_PATH="$CHROMIUM_PATH" node first-view.mjs --runs "$BM_BROWSER_FIRST_VIEW_RUNS" || status=1
fi
set -e
say "browser tests finished ($status); screenshots in $HERE/test-results/screenshots/"
exit "$status"

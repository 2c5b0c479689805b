#!/usr/bin/env bash
# Runs BenchMesh: starts PostgreSQL, RabbitMQ and Redis on loopback (deploy/local/up.sh), every service
# through the Aspire app host (the runner with two replicas), registers the sample agents and a sample
# suite, runs the suite for two versions of a sample agent, prints the leaderboard and the regression
# found, serves the benchmark dashboard at the gateway's / (built from services/Dashboard when needed), and keeps
# serving until stopped (Ctrl-C or SIGTERM stops everything it started). The runner may start
# the sample process agents (services/SampleAgents/process/, enabled by the app host; docs/api.md "Process agents"),
# and the runner and stress service may reach loopback, where the sample agents listen (docs/runner.md "Outbound guard").
# Every API call needs a key: the gateway makes an operator key on its first start and writes it to .benchmesh/admin-key
# (mode 600), which the CLI reads; this script prints it (docs/api.md "Authentication and workspaces").
#
#   BENCHMESH_GATEWAY_URL   public API address (default http://127.0.0.1:8080)
#   BENCHMESH_DASHBOARD_URL Aspire dashboard (default http://127.0.0.1:18888)
#   BENCHMESH_NO_DEMO=1     start and serve, without registering and running the demo
#   PG_PORT REDIS_PORT RABBIT_PORT RABBIT_MGMT_PORT: infrastructure ports (deploy/local/env.sh)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
. deploy/local/env.sh
GATEWAY_URL=${BENCHMESH_GATEWAY_URL:-http://127.0.0.1:8080}
DASHBOARD_URL=${BENCHMESH_DASHBOARD_URL:-http://127.0.0.1:18888}
LOG_DIR="$ROOT/.benchmesh"; mkdir -p "$LOG_DIR"
KEY_FILE="$LOG_DIR/admin-key"

deploy/local/install.sh && . deploy/local/env.sh  # again: PG_BIN exists only once PostgreSQL is installed
# Stop at the end exactly the servers this run starts, never one somebody else is using.
STARTED=$(bm_stopped_servers)
APPHOST_PID=""
stop() {
  local rc=$1
  trap - EXIT INT TERM
  echo; echo "stopping BenchMesh..."
  if [ -n "$APPHOST_PID" ] && kill -0 "$APPHOST_PID" 2>/dev/null; then
    kill -TERM "$APPHOST_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$APPHOST_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$APPHOST_PID" 2>/dev/null || true
  fi
  if [ -n "$STARTED" ]; then deploy/local/down.sh $STARTED || true; fi
  echo "stopped."
  exit "$rc"
}
trap 'stop $?' EXIT
trap 'stop 0' INT TERM

# PostgreSQL with its durability settings on (only test.sh trades them for speed, with BM_PG_FAST=1; a server that
# is already running keeps the settings it was started with, which up.sh points out).
unset BM_PG_FAST
deploy/local/up.sh
echo "building..."
dotnet build BenchMesh.sln -c Release -v q -nologo 2>&1 | grep -E " error |Build succeeded" | sort -u
if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "the build failed"; exit 1; fi
# The benchmark dashboard (services/Dashboard), served by the gateway at /: rebuilt only when its sources changed.
deploy/local/build-dashboard.sh || echo "(the dashboard did not build; the API works without it and / says how to build it)"

echo "starting the app host (logs: $LOG_DIR/apphost.log)..."
ASPNETCORE_URLS="$DASHBOARD_URL" \
ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=${ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL:-http://127.0.0.1:18889} \
ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
BENCHMESH_GATEWAY_URL="$GATEWAY_URL" \
BenchMesh__OperatorKeyFile="$KEY_FILE" \
  dotnet run --project AppHost/BenchMesh.AppHost.csproj -c Release --no-build --no-launch-profile \
  > "$LOG_DIR/apphost.log" 2>&1 &
APPHOST_PID=$!

# GET with the operator key; curl reads the header from standard input, so the key never shows in the process list.
api_get() { printf 'header = "Authorization: Bearer %s"\n' "$(cat "$KEY_FILE")" | curl -sf -K - "$GATEWAY_URL$1"; }

echo -n "waiting for the gateway at $GATEWAY_URL "
up=0
for _ in $(seq 1 240); do
  if [ -s "$KEY_FILE" ] && api_get /benchmarks/leaderboard >/dev/null 2>&1 && api_get /agents >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$APPHOST_PID" 2>/dev/null || { echo; echo "the app host exited; see $LOG_DIR/apphost.log"; tail -30 "$LOG_DIR/apphost.log"; exit 1; }
  echo -n "."; sleep 1
done
if [ "$up" != 1 ]; then echo; echo "the gateway did not answer within 240 s; see $LOG_DIR/apphost.log"; exit 1; fi
echo " up."
echo "Aspire dashboard (traces, logs, metrics): $DASHBOARD_URL"
echo "Operator API key (kept in $KEY_FILE, which the CLI reads): $(cat "$KEY_FILE")"

if [ "${BENCHMESH_NO_DEMO:-0}" != 1 ]; then
  BENCHMESH_API_KEY="$(cat "$KEY_FILE")" dotnet cli/BenchMesh.Cli/bin/Release/net10.0/benchmesh.dll demo --gateway "$GATEWAY_URL" \
    --sample-agents "${BENCHMESH_SAMPLE_AGENTS_URL:-http://127.0.0.1:5161}" || echo "(the demo reported a problem; BenchMesh keeps serving)"
fi

echo
# The operator key, when the gateway wrote one, goes in the link's fragment: the app stores it and drops it from the URL.
if [ -s "$LOG_DIR/admin-key" ]; then
  echo "Benchmark dashboard: $GATEWAY_URL/#key=$(cat "$LOG_DIR/admin-key")"
else
  echo "Benchmark dashboard: $GATEWAY_URL/"
fi
echo "BenchMesh is serving on $GATEWAY_URL (API: docs/api.md). Ctrl-C or SIGTERM stops it."
set +e
wait "$APPHOST_PID"
rc=$?
APPHOST_PID=""
echo "the app host exited ($rc); see $LOG_DIR/apphost.log"
exit "$rc"

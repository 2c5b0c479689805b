#!/usr/bin/env bash
# Runs the whole BenchMesh test suite against real PostgreSQL, RabbitMQ and Redis, which it starts on
# loopback from Debian's packages (deploy/local/up.sh) and stops again at the end if it started them.
# Ports: PG_PORT, REDIS_PORT, RABBIT_PORT, RABBIT_MGMT_PORT (defaults 5432, 6379, 5672, 15672).
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Scoring".
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
. deploy/local/env.sh

deploy/local/install.sh && . deploy/local/env.sh  # again: PG_BIN exists only once PostgreSQL is installed
# Stop at the end exactly the servers this run starts, never one somebody else is using.
STARTED=$(bm_stopped_servers)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$STARTED" ]; then deploy/local/down.sh $STARTED || true; fi
  exit $rc
}
trap cleanup EXIT INT TERM
# The test databases are thrown away: a PostgreSQL this script starts runs without fsync, synchronous commits and
# full-page writes, for speed. One that is already running keeps its own settings (the first starter decides).
BM_PG_FAST=1 deploy/local/up.sh

export BENCHMESH_TEST_POSTGRES="$BM_PG_CONNECTION"
export BENCHMESH_TEST_RABBITMQ="$BM_RABBIT_CONNECTION"
export BENCHMESH_TEST_RABBITMQ_MANAGEMENT="$BM_RABBIT_MANAGEMENT"
export BENCHMESH_TEST_REDIS="$BM_REDIS_CONNECTION"
# The services under test log warnings and errors only, so that a failure's own output stands out.
export Logging__LogLevel__Default=Warning

# Leftovers of an earlier run that crashed before cleaning up: databases and vhosts named bmt_/bmt-.
# Over the server's Unix socket (local connections are trusted; TCP ones need the password).
for db in $(runuser -u postgres -- psql -h "$BM_INFRA_DIR/pg" -p "$PG_PORT" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'bmt\_%'" 2>/dev/null || true); do
  runuser -u postgres -- psql -h "$BM_INFRA_DIR/pg" -p "$PG_PORT" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
done

echo "building..."
dotnet build BenchMesh.sln -c Release -nologo -v q 2>&1 | grep -vE "^\s*$" | tail -n 30
build_status=${PIPESTATUS[0]}
if [ "$build_status" -ne 0 ]; then echo "build failed"; exit "$build_status"; fi

LOG="$ROOT/.benchmesh-test.log"
set +e
# One test assembly at a time (-m:1): the load engine's tests measure rates and latencies, and on a 2-core machine
# another assembly running beside them (the app host's end-to-end tests, the runner's workers) would be measured too.
dotnet test BenchMesh.sln -c Release --no-build -m:1 --logger "console;verbosity=normal" "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e

# The dashboard: its unit tests (Vitest), then its browser tests against a private stack of their own
# (tests/Dashboard.Browser/run-browser-tests.sh: Playwright in Debian's Chromium, on the Release build made above).
JS_LOG="$ROOT/.benchmesh-dashboard-test.log"
set +e
echo "dashboard unit tests..."
(cd services/Dashboard && npm ci --no-audit --no-fund --loglevel=error && npm test) 2>&1 | tee "$JS_LOG"
dashboard_status=${PIPESTATUS[0]}
echo "dashboard browser tests..."
BM_BROWSER_NO_BUILD=1 tests/Dashboard.Browser/run-browser-tests.sh 2>&1 | tee -a "$JS_LOG"
browser_status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 0 ]; then status=$dashboard_status; fi
if [ "$status" -eq 0 ]; then status=$browser_status; fi

# One closing line for the whole run, summed over the test assemblies' summaries and the dashboard's
# (Vitest: "Tests  1 failed | 41 passed (42)"; Playwright: "  12 passed (1.5m)", "  1 failed").
count() { { grep -oE "^ +$1: +[0-9]+" "$LOG" || true; } | awk '{s+=$2} END {print s+0}'; }
# (Colour codes are taken out first: Vitest colours its summary even into a pipe.)
# (Each grep may find nothing, e.g. no "skipped": "|| true", or pipefail would end this script without its summary.)
js_count() { { sed -E 's/\x1b\[[0-9;]*m//g' "$JS_LOG" | grep -E "^ +(Tests +.*\([0-9]+\)|[0-9]+ (passed|failed|flaky|skipped|did not run))" || true; } \
  | { grep -oE "[0-9]+ $1" || true; } | awk '{s+=$1} END {print s+0}'; }
passed=$(( $(count Passed) + $(js_count passed) )); failed=$(( $(count Failed) + $(js_count failed) ))
skipped=$(( $(count Skipped) + $(js_count skipped) ))
# The failed tests again, each with the start of its message, next to the summary: CI keeps only the tail of this
# output, and the failure itself scrolled by among the thousand passing lines.
if [ "$failed" -gt 0 ]; then
  echo "failed tests:"
  awk '/^  Failed [A-Za-z]/ { print; n = 0; grab = 1; next }
       grab && /^  (Passed|Failed|Skipped) / { grab = 0 }
       grab && n < 6 && !/^ *(Error Message:|Stack Trace:)?$/ { print "    " $0; n++ }' "$LOG" | cut -c1-400
  sed -E 's/\x1b\[[0-9;]*m//g' "$JS_LOG" | grep -E "^ *(✘|×|FAIL) " | cut -c1-300 || true
fi
if grep -q "Test Run Aborted" "$LOG"; then echo "a test run was aborted (see above)"; [ "$status" -ne 0 ] || status=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"

#!/usr/bin/env bash
# Runs the whole BenchMesh test suite against real PostgreSQL, RabbitMQ and Redis, which it starts on
# loopback from Debian's packages (deploy/local/up.sh) and stops again at the end if it started them.
# Ports: PG_PORT, REDIS_PORT, RABBIT_PORT, RABBIT_MGMT_PORT (defaults 5432, 6379, 5672, 15672).
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Scoring).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

. deploy/local/env.sh
STARTED_INFRA=0
if ! (redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG); then STARTED_INFRA=1; fi
cleanup() {
  local rc=$?
  # Databases and vhosts of crashed earlier runs carry the bmt_ / bmt- prefix.
  if [ "$STARTED_INFRA" = 1 ]; then deploy/local/down.sh || true; fi
  exit $rc
}
trap cleanup EXIT INT TERM
deploy/local/up.sh

export BENCHMESH_TEST_POSTGRES="$BM_PG_CONNECTION"
export BENCHMESH_TEST_RABBITMQ="$BM_RABBIT_CONNECTION"
export BENCHMESH_TEST_RABBITMQ_MANAGEMENT="$BM_RABBIT_MANAGEMENT"
export BENCHMESH_TEST_REDIS="$BM_REDIS_CONNECTION"

dotnet tool restore >/dev/null 2>&1 || true
dotnet build BenchMesh.sln -c Release 2>&1 | grep -E "error|Warn|warn|Build succeeded|Elapsed" | grep -v "^$" | sort -u || true
dotnet build BenchMesh.sln -c Release --no-restore -v q >/dev/null

status=0
dotnet test BenchMesh.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$ROOT/.benchmesh-test.log" | grep -vE "^\s*$" | grep -E "Passed |Failed |Skipped |error|Error Message|Assert|Expected|Actual|at BenchMesh|Total tests|Passed!|Failed!|passed|failed" || true
status=${PIPESTATUS[0]}
passed=$(grep -cE "^\s+Passed " "$ROOT/.benchmesh-test.log" || true)
failed=$(grep -cE "^\s+Failed " "$ROOT/.benchmesh-test.log" || true)
echo "$passed passed, $failed failed"
exit $status

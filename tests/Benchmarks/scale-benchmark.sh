#!/usr/bin/env bash
# The scale benchmark (issue 14, part 4): starts a PRIVATE PostgreSQL and RabbitMQ on free loopback ports with their data
# under a temporary folder (deploy/local/up.sh, PostgreSQL durable as up.sh starts it), builds Scoring, Leaderboard,
# Regression, Suites (Regression reads suites' thresholds from it) and tests/Benchmarks/BenchMesh.Scale.Benchmark in Release, and runs the program: it fills the three
# services' databases with 10 million executions (COPY) and measures the leaderboard, a results page, a regression
# check and Scoring's pipeline through the services' own HTTP routes and queue, printing one GOAL line per goal.
# Then it stops exactly the servers it started (by their pids) and deletes the data folder.
# Arguments go to the program, e.g. --executions 100000 for a quick run (see the program's Program.cs for the rest).
# Needs about 50 GB free under /tmp for the full 10 M (BM_SCALE_DIR chooses another parent folder).
# BM_SCALE_KEEP=<folder> keeps the servers' data in that folder instead (created when absent, not deleted at the end), so
# that a 10 M fill (about 20 minutes) can be measured again later: BM_SCALE_KEEP=<same folder> scale-benchmark.sh --no-fill.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib/ports.sh"

if [ -n "${BM_SCALE_KEEP:-}" ]; then
  mkdir -p "$BM_SCALE_KEEP"
  dir="$(cd "$BM_SCALE_KEEP" && pwd)"
else
  dir="$(mktemp -d "${BM_SCALE_DIR:-/tmp}/bm-scale.XXXXXX")"
fi
chmod 755 "$dir"
export BM_INFRA_DIR="$dir/infra" PG_PORT="$(free_port)" RABBIT_PORT="$(free_rabbit_port)" RABBIT_MGMT_PORT="$(free_port)"
export REDIS_PORT="$(free_port)"
. "$repo/deploy/local/env.sh"

cleanup() {
  set +e
  local pg_pid rabbit_pid
  pg_pid="$(head -n1 "$BM_INFRA_DIR/pg/data/postmaster.pid" 2>/dev/null)"
  [ -n "$pg_pid" ] && kill -INT "$pg_pid" 2>/dev/null  # PostgreSQL's fast shutdown
  rabbit_pid="$(cat "$BM_INFRA_DIR/rabbit/rabbit.pid" 2>/dev/null)"
  [ -n "$rabbit_pid" ] && kill -TERM "$rabbit_pid" 2>/dev/null
  for _ in $(seq 1 100); do
    { [ -z "$pg_pid" ] || ! kill -0 "$pg_pid" 2>/dev/null; } && { [ -z "$rabbit_pid" ] || ! kill -0 "$rabbit_pid" 2>/dev/null; } && break
    sleep 0.2
  done
  [ -n "${BM_SCALE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

"$repo/deploy/local/up.sh" postgres rabbitmq

for project in services/Scoring/BenchMesh.Scoring.csproj services/Leaderboard/BenchMesh.Leaderboard.csproj \
  services/Regression/BenchMesh.Regression.csproj services/Suites/BenchMesh.Suites.csproj tests/Benchmarks/BenchMesh.Scale.Benchmark/BenchMesh.Scale.Benchmark.csproj; do
  dotnet build "$repo/$project" -c Release -v q -nologo >/dev/null
done

mkdir -p "$dir/logs"
dotnet "$repo/tests/Benchmarks/BenchMesh.Scale.Benchmark/bin/Release/net10.0/BenchMesh.Scale.Benchmark.dll" \
  --postgres "$BM_PG_CONNECTION" --rabbitmq "$BM_RABBIT_CONNECTION" --repository "$repo" --logs "$dir/logs" "$@"

#!/usr/bin/env bash
# Runner scale-out (issue 14): one run's wall time on 1 runner worker against 3, with an agent whose latency dominates
# (Python's http.server answering after 200 ms). Builds the services and the program in Release, then runs it: it
# starts its OWN PostgreSQL, RabbitMQ and Redis on ports free now (chosen below; never the shared defaults) in a
# temporary folder, Suites, one Scoring and 3 Runner processes, and stops exactly what it started, also on Ctrl-C: the
# service processes and the agent by their pids, the servers with deploy/local/down.sh on their own folder and ports.
# About 6 minutes (3 with BENCHMESH_BENCH_QUICK=1). Prints a GOAL line (tests/Benchmarks/benchmarks.sh collects it).
# No arguments needed; extra ones go to the program, e.g. --rounds 2 --items 10 --replicas 3 (--help lists them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
"$repo/deploy/local/install.sh"   # PostgreSQL, RabbitMQ, Redis and python3 (the agent) from Debian's packages when missing

. "$here/lib/ports.sh"   # free loopback ports now; RabbitMQ's from 20000-45535 (its distribution port is 20000 above)

echo "building the services and the program (Release)..."
dotnet build "$here/BenchMesh.ScaleOut.Benchmark" -c Release -v q -nologo >/dev/null
exec dotnet "$here/BenchMesh.ScaleOut.Benchmark/bin/Release/net10.0/BenchMesh.ScaleOut.Benchmark.dll" \
  --pg-port "$(free_port)" --redis-port "$(free_port)" --rabbit-port "$(free_rabbit_port)" --rabbit-mgmt-port "$(free_port)" "$@"

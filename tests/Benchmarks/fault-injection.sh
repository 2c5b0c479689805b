#!/usr/bin/env bash
# The fault-injection program (issue 11, part 2; docs/fault-injection.md): builds BenchMesh's services and the program
# in Release, then runs it. It starts its OWN PostgreSQL, RabbitMQ and Redis (ports 27432, 27672/27673, 27379 unless
# told otherwise; never the shared defaults) and its own service processes, injects each fault mid-run, prints the
# table, and stops exactly what it started, also on Ctrl-C. Long: 5 faults × 20 runs × about a minute each by default.
# Extra arguments go to the program, e.g. --repeats 2 --items 20 --iterations 2 --faults runner-kill,postgres-stop.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
"$repo/deploy/local/install.sh"   # PostgreSQL, RabbitMQ, Redis and python3 (the agent) from Debian's packages when missing
echo "building the services and the program (Release)..."
dotnet build "$here/BenchMesh.FaultInjection" -c Release -v q -nologo >/dev/null
exec dotnet "$here/BenchMesh.FaultInjection/bin/Release/net10.0/BenchMesh.FaultInjection.dll" "$@"

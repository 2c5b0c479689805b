#!/usr/bin/env bash
# The stress engine's speed benchmark (issue 4): installs nginx-light and wrk from Debian's packages when missing,
# starts nginx on a free loopback port (one worker, a small 200 answer, no access log) with a temporary config,
# runs tests/Benchmarks/BenchMesh.Stress.Benchmark against it, and stops nginx again (by its pid).
# Extra arguments go to the program, e.g. --connections 100 --duration 5s, or --only cli for part 4 alone.
# 4. (issue 14) `benchmesh stress` with its defaults, built in Release and run as a user runs it: its own process, none of
# the settings below in its environment (the CLI applies them itself: cli/BenchMesh.Cli/SocketEngineDefaults.cs).
# Every goal is also printed as a tab-separated GOAL line (tests/Benchmarks/benchmarks.sh collects them).
# Socket continuations run inline on the epoll threads (the load-testing notes' biggest lever for a .NET generator on
# 2 cores: less CPU per request, so more is left for the target); DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 turns
# it off. The engine's request path never blocks, which is what this setting needs.
# One socket event thread (DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1; with inline completions .NET starts one per core):
# with inline completions that thread runs the whole closed-model request loop, as wrk -t1 runs its one thread, and
# leaves the other core to nginx's one worker instead of three busy threads sharing two cores (measured: about 6.0
# instead of 6.7 µs of generator CPU per request). Set it to 2 (or empty for .NET's default) to compare.
set -euo pipefail
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-1}"
export DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT="${DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT-1}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
  # Install without starting the distribution's own nginx service on port 80.
  $SUDO env RUNLEVEL=1 apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
  # Where the package did start its service anyway, stop it: the benchmark runs its own nginx only.
  case " ${missing[*]} " in *" nginx-light "*) $SUDO service nginx stop >/dev/null 2>&1 || true ;; esac
fi
. "$here/lib/nginx.sh"

dir="$(mktemp -d /tmp/benchmesh-stress-bench.XXXXXX)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
nginx_write_config "$dir" "$port" 'return 200 "ok\n";'
nginx_start "$dir"
master="$nginx_pid"
cleanup() {
  kill -CONT "${worker:-$master}" 2>/dev/null || true
  nginx_stop
  rm -rf "$dir"
}
trap cleanup EXIT

worker=""
for _ in $(seq 50); do
  worker="$(pgrep -P "$master" | head -n1 || true)"
  [ -n "$worker" ] && curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.1
done
[ -n "$worker" ] || { echo "nginx did not start:"; cat "$dir/error.log"; exit 1; }
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$port (master $master, worker $worker); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)"

dotnet build "$repo/tests/Benchmarks/BenchMesh.Stress.Benchmark" -c Release -v q -nologo >/dev/null
dotnet build "$repo/cli/BenchMesh.Cli" -c Release -v q -nologo >/dev/null
dotnet "$repo/tests/Benchmarks/BenchMesh.Stress.Benchmark/bin/Release/net10.0/BenchMesh.Stress.Benchmark.dll" \
  --url "http://127.0.0.1:$port/" --nginx-worker-pid "$worker" --cli "$repo/cli/BenchMesh.Cli/bin/Release/net10.0/benchmesh.dll" "$@"

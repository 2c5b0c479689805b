#!/usr/bin/env bash
# Installs PostgreSQL, RabbitMQ and Redis (and what the sample agents and the tests use) from Debian's packages when they are missing. Idempotent.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The sample process agent (services/SampleAgents/process/calculator.py) is Debian's python3 in front of bc.
[ -x /usr/bin/python3 ] || missing+=(python3)
command -v bc >/dev/null 2>&1 || missing+=(bc)
# The offline Kubernetes checks (tests/BenchMesh.Deploy.Tests) run a Node validator; kubectl comes with the machine.
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The dashboard's browser tests (tests/Dashboard.Browser) drive Debian's Chromium; Playwright downloads no browser.
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
$SUDO apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"

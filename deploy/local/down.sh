#!/usr/bin/env bash
# Stops the servers up.sh started: all three, or only those named (postgres, redis, rabbitmq).
# Idempotent: a server that is not running is skipped.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/env.sh"
D="$BM_INFRA_DIR"
wanted=" ${*:-postgres redis rabbitmq} "
if [[ "$wanted" == *" rabbitmq "* ]]; then
  ( rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl -q shutdown >/dev/null 2>&1 && echo "rabbitmq stopped"
    epmd -kill >/dev/null 2>&1 || true )
fi
if [[ "$wanted" == *" redis "* ]]; then
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 && echo "redis stopped"
fi
if [[ "$wanted" == *" postgres "* ]] && [ -s "$D/pg/data/PG_VERSION" ]; then
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$D/pg/data" -m fast -w stop >/dev/null 2>&1 && echo "postgres stopped"
fi
exit 0

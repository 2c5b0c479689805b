#!/usr/bin/env bash
# Starts PostgreSQL, Redis and RabbitMQ (or only those named: postgres, redis, rabbitmq) on loopback with all their
# data under $BM_INFRA_DIR and waits until each accepts connections. Idempotent: a server that already answers is left
# alone (with its settings).
# PostgreSQL runs with its durability settings on unless BM_PG_FAST=1 (test.sh): see below.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/install.sh"
. "$HERE/env.sh"
D="$BM_INFRA_DIR"; mkdir -p "$D"; chmod 755 "$D"
wanted=" ${*:-postgres redis rabbitmq} "

# ---- PostgreSQL (refuses to run as root: run it as the postgres user) ----
mkdir -p "$D/pg"; chown postgres:postgres "$D/pg"
if [[ "$wanted" != *" postgres "* ]]; then
  :
elif runuser -u postgres -- "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
  fsync=$(PGPASSWORD=postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SHOW fsync" 2>/dev/null || true)
  if [ "$fsync" = off ]; then
    echo "postgres already running on $PG_PORT (started by another script with fsync=off: not durable until restarted)"
  else
    echo "postgres already running on $PG_PORT"
  fi
else
  if [ ! -s "$D/pg/data/PG_VERSION" ]; then
    echo postgres > "$D/pg/pwfile"; chown postgres "$D/pg/pwfile"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$D/pg/data" -U postgres --pwfile="$D/pg/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$D/pg/initdb.log"
  fi
  # Durable by default: a power cut must not corrupt the results. BM_PG_FAST=1 (set by test.sh only, whose databases
  # are thrown away) trades durability for speed. A server that is already running keeps the settings it was started
  # with: the first script to start it decides.
  pg_options="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $D/pg -c max_connections=300"
  durability="durable"
  if [ "${BM_PG_FAST:-0}" = 1 ]; then
    pg_options="$pg_options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    durability="fast, not durable: fsync=off"
  fi
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$D/pg/data" -l "$D/pg/server.log" -w -t 60 -o "$pg_options" start >/dev/null
  echo "postgres ready on $PG_PORT ($durability)"
fi

# ---- Redis ----
mkdir -p "$D/redis"
if [[ "$wanted" != *" redis "* ]]; then
  :
elif redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  echo "redis already running on $REDIS_PORT"
else
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$D/redis" --daemonize yes \
    --pidfile "$D/redis/redis.pid" --logfile "$D/redis/redis.log" --save '' --appendonly no
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  echo "redis ready on $REDIS_PORT"
fi

# ---- RabbitMQ (the real script, run directly as root, all state under $D/rabbit) ----
R="$D/rabbit"
rabbit_env  # also creates its HOME and log folders (Erlang's crash dumps go to the log folder)
if [[ "$wanted" != *" rabbitmq "* ]]; then
  :
elif /usr/lib/rabbitmq/bin/rabbitmqctl -q status >/dev/null 2>&1; then
  echo "rabbitmq already running on $RABBIT_PORT"
else
  echo '[rabbitmq_management].' > "$R/enabled_plugins"
  cat > "$R/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
loopback_users = none
# A benchmark is one message, acknowledged when it is done: allow long benchmarks (4 h) before the broker
# takes the message back from a worker that is still busy with it.
consumer_timeout = 14400000
CONF
  nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$R/log/stdout.log" 2>&1 &
  echo $! > "$R/launcher.pid"
  /usr/lib/rabbitmq/bin/rabbitmqctl -q wait --timeout 120 "$R/rabbit.pid" >/dev/null
  for _ in $(seq 1 100); do curl -sf -u guest:guest "$BM_RABBIT_MANAGEMENT/api/overview" >/dev/null && break; sleep 0.2; done
  echo "rabbitmq ready on $RABBIT_PORT (management $RABBIT_MGMT_PORT)"
fi

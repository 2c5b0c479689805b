# Shared settings for the local (Docker-less) infrastructure scripts. Source it, do not run it.
# Every value can be overridden from the environment.
BM_INFRA_DIR=${BM_INFRA_DIR:-/tmp/benchmesh-infra}
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
RABBIT_PORT=${RABBIT_PORT:-5672}
RABBIT_MGMT_PORT=${RABBIT_MGMT_PORT:-15672}
RABBIT_NODENAME=${RABBIT_NODENAME:-benchmesh-${RABBIT_PORT}@localhost}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
export BM_INFRA_DIR PG_PORT REDIS_PORT RABBIT_PORT RABBIT_MGMT_PORT RABBIT_NODENAME PG_BIN

# The connection strings every .NET process reads (Aspire's names).
BM_PG_CONNECTION="Host=127.0.0.1;Port=${PG_PORT};Username=postgres;Password=postgres"
BM_REDIS_CONNECTION="127.0.0.1:${REDIS_PORT}"
BM_RABBIT_CONNECTION="amqp://guest:guest@127.0.0.1:${RABBIT_PORT}"
BM_RABBIT_MANAGEMENT="http://127.0.0.1:${RABBIT_MGMT_PORT}"
export BM_PG_CONNECTION BM_REDIS_CONNECTION BM_RABBIT_CONNECTION BM_RABBIT_MANAGEMENT

# RabbitMQ's environment. Every rabbitmqctl call runs after it, and Erlang writes erl_crash.dump into the current
# folder when it cannot start (e.g. a missing HOME): so the folders exist first and dumps go to the log folder.
rabbit_env() {
  local R="$BM_INFRA_DIR/rabbit"
  mkdir -p "$R/home" "$R/log"
  export HOME="$R/home" RABBITMQ_NODENAME="$RABBIT_NODENAME" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000)) \
    RABBITMQ_MNESIA_BASE="$R/mnesia" RABBITMQ_LOG_BASE="$R/log" RABBITMQ_PID_FILE="$R/rabbit.pid" \
    RABBITMQ_CONFIG_FILE="$R/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$R/enabled_plugins" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$R/advanced.config" ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_CRASH_DUMP="$R/log/erl_crash.dump" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# Prints the servers (postgres, redis, rabbitmq) that do not answer on their ports, so that a script can stop
# afterwards exactly the ones it started, and never one that somebody else is using.
bm_stopped_servers() {
  local stopped=()
  runuser -u postgres -- "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1 || stopped+=(postgres)
  (redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG) || stopped+=(redis)
  (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl -q status >/dev/null 2>&1) || stopped+=(rabbitmq)
  echo "${stopped[*]}"
}

# Free loopback ports for the benchmark scripts' private servers (sourced).
#   free_port          a port nothing listens on now (the kernel's choice)
#   free_rabbit_port   the same for RabbitMQ, whose Erlang distribution port is the AMQP port + 20,000
#                      (deploy/local/env.sh): both must be free, and the second must exist, so it draws from 20000-45535
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
free_rabbit_port() {
  python3 - <<'PY'
import random, socket
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
print(next(p for p in iter(lambda: random.randint(20000, 45535), None) if free(p) and free(p + 20000)))
PY
}

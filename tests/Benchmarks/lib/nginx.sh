# A private nginx for the benchmark scripts (sourced by stress-benchmark.sh and runner-benchmark.sh): one worker, no
# access log, a config and temporary folders of its own in the script's folder, on a loopback port, started in the
# background and stopped by its pid. Installing nginx-light stays with each script (their package lists differ).
#   nginx_write_config DIR PORT 'DIRECTIVES'   writes DIR/nginx.conf: one server on 127.0.0.1:PORT whose location /
#                                               holds DIRECTIVES, e.g. 'return 200 "ok\n";'
#   nginx_start DIR                            starts nginx on DIR/nginx.conf (errors in DIR/error.log); sets nginx_pid
#   nginx_stop                                 stops that nginx (SIGTERM to its master, by pid) and waits for it
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
nginx_pid=""

nginx_write_config() {
  local dir="$1" port="$2" directives="$3"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { $directives }
  }
}
CONF
}

nginx_start() {
  local dir="$1"
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
}

nginx_stop() {
  [ -n "$nginx_pid" ] || return 0
  kill -TERM "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
}

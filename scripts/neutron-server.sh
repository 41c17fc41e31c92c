#!/usr/bin/env bash
# A REAL OpenStack neutron-server (Debian 12 / Zed 21.0.0) for integration tests, on loopback only.
#
#   scripts/neutron-server.sh install   Debian packages, if any is missing (apt-get, non-interactive)
#   scripts/neutron-server.sh start     install if needed, private PostgreSQL cluster, config, schema
#                                       (upgrade head), neutron-server; prints the endpoint on stdout
#   scripts/neutron-server.sh status    prints "running <endpoint>" (exit 0) or "stopped" (exit 3)
#   scripts/neutron-server.sh stop      stops neutron-server and PostgreSQL and removes the work dir
#
# Shape (see ../shared/notes/neutron-server.md for the measurements behind it): auth_strategy=noauth
# (every call is admin; send no X-Project-Id), ML2/openvswitch with no agents, transport_url=fake://,
# 2 API workers. PostgreSQL is a private cluster created in the work dir by initdb; it listens on a
# unix socket in the work dir only (listen_addresses=''), so nothing but neutron-server opens a TCP
# port, and that one is bound to 127.0.0.1. A fake "Open vSwitch agent" row per host in
# $VPCCNI_NEUTRON_AGENT_HOSTS makes binding:host_id bind (vif_type ovs) instead of failing 10 times.
# Packages are python3-neutron (no neutron-server/neutron-api packages, whose init script would
# start uwsgi on all addresses), python3-psycopg2, postgresql, curl.
#
# Environment:
#   VPCCNI_NEUTRON_DIR          work dir (default /tmp/vpccni-neutron); `stop` removes it
#   VPCCNI_NEUTRON_PORT         port (default 9696 if free, else any free port)
#   VPCCNI_NEUTRON_LIFETIME     seconds after which everything is stopped and removed anyway, even
#                               if `stop` never comes (default 3600)
#   VPCCNI_NEUTRON_AGENT_HOSTS  hosts that get a fake OVS agent row (default "compute-1 compute-2")
#   VPCCNI_NEUTRON_START_TIMEOUT seconds to wait for GET /v2.0/networks (default 90)
#   VPCCNI_NEUTRON_EXTENSION_DRIVERS ML2 extension drivers (default port_security, as a stock
#                               deployment; add tag_ports_during_bulk_creation to accept "tags"
#                               in POST /ports, which Zed otherwise drops silently)
# Every step is bounded by `timeout`. Timings go to stderr; the endpoint is the last line of stdout.
set -euo pipefail

WORK=${VPCCNI_NEUTRON_DIR:-/tmp/vpccni-neutron}
LIFETIME=${VPCCNI_NEUTRON_LIFETIME:-3600}
AGENT_HOSTS=${VPCCNI_NEUTRON_AGENT_HOSTS:-compute-1 compute-2}
START_TIMEOUT=${VPCCNI_NEUTRON_START_TIMEOUT:-90}
EXTENSION_DRIVERS=${VPCCNI_NEUTRON_EXTENSION_DRIVERS:-port_security}
PACKAGES=(python3-neutron python3-psycopg2 postgresql curl)
PY=/usr/bin/python3

log() { echo "neutron-server.sh: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

do_install() {
  local t0 missing created_policy=0
  t0=$(now)
  mapfile -t missing < <(missing_packages)
  if [ ${#missing[@]} -eq 0 ]; then
    log "packages present"
    return 0
  fi
  [ "$(id -u)" = 0 ] || { log "installing ${missing[*]} needs root"; return 1; }
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not start services while we install (postgresql would start its system
  # cluster). Docker-style images already have a policy-rc.d that denies; otherwise add one for the
  # duration of the install only.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local rc=0 aptlog
  aptlog=$(mktemp /tmp/vpccni-neutron-apt.XXXXXX.log)
  {
    timeout 300 apt-get update -q -o DPkg::Lock::Timeout=120 > "$aptlog" 2>&1 &&
      timeout 900 apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" >> "$aptlog" 2>&1
  } || rc=$?
  if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  if [ "$rc" != 0 ]; then
    log "apt-get failed (exit $rc); last lines of $aptlog (kept):"
    tail -n 15 "$aptlog" >&2 || true
    return 1
  fi
  rm -f "$aptlog"
  log "install took $(since "$t0") s"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

port_free() {
  $PY - "$1" <<'EOF'
import socket, sys
s = socket.socket()
# As the server does: SO_REUSEADDR, so TIME_WAIT leftovers of a previous run do not count as busy.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

free_port() {
  if [ -n "${VPCCNI_NEUTRON_PORT:-}" ]; then echo "$VPCCNI_NEUTRON_PORT"; return; fi
  if port_free 9696; then echo 9696; return; fi
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

running() {
  [ -f "$WORK/neutron.pid" ] && kill -0 "$(cat "$WORK/neutron.pid")" 2>/dev/null
}

endpoint() { echo "http://127.0.0.1:$(cat "$WORK/port")/v2.0"; }

answers() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$(endpoint)/networks" || true)" = 200 ]
}

write_config() {
  local port=$1 sock=$2
  cat > "$WORK/etc/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $port
auth_strategy = noauth
core_plugin = ml2
service_plugins = trunk
api_paste_config = $WORK/etc/api-paste.ini
transport_url = fake://
state_path = $WORK/state
api_workers = 2
rpc_workers = 1
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
dhcp_agent_notification = false
# a busy port fails in 3 s instead of 30; start then picks another port
retry_until_window = 3

[database]
connection = postgresql+psycopg2://neutron@/neutron?host=$sock

[oslo_concurrency]
lock_path = $WORK/state/lock

[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = openvswitch
extension_drivers = ${EXTENSION_DRIVERS}

[ml2_type_vxlan]
vni_ranges = 1:1000

[ml2_type_vlan]
network_vlan_ranges = physnet1:100:200

[securitygroup]
firewall_driver = noop
EOF
  cat > "$WORK/etc/api-paste.ini" <<'EOF'
[composite:neutron]
use = egg:Paste#urlmap
/: neutronversions_composite
/v2.0: neutronapi_v2_0

[composite:neutronapi_v2_0]
use = call:neutron.auth:pipeline_factory
noauth = cors http_proxy_to_wsgi request_id fake_project_id catch_errors extensions neutronapiapp_v2_0
keystone = cors http_proxy_to_wsgi request_id catch_errors authtoken keystonecontext extensions neutronapiapp_v2_0

[composite:neutronversions_composite]
use = call:neutron.auth:pipeline_factory
noauth = cors http_proxy_to_wsgi neutronversions
keystone = cors http_proxy_to_wsgi neutronversions

[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory

[filter:catch_errors]
paste.filter_factory = oslo_middleware:CatchErrors.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = neutron

[filter:fake_project_id]
paste.filter_factory = neutron.auth:NoauthFakeProjectId.factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[filter:keystonecontext]
paste.filter_factory = neutron.auth:NeutronKeystoneContext.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:extensions]
paste.filter_factory = neutron.api.extensions:plugin_aware_extension_middleware_factory

[app:neutronversions]
paste.app_factory = neutron.pecan_wsgi.app:versions_factory

[app:neutronapiapp_v2_0]
paste.app_factory = neutron.api.v2.router:APIRouter.factory
EOF
}

# Private PostgreSQL cluster owned by the OS user postgres, unix socket in the work dir, no TCP.
start_postgres() {
  local bin sock=$WORK/pg/run
  bin=$(pg_bin)
  [ -n "$bin" ] || { log "no PostgreSQL under /usr/lib/postgresql"; return 1; }
  mkdir -p "$WORK/pg/data" "$sock"
  chown -R postgres:postgres "$WORK/pg" || return 1
  chmod 700 "$WORK/pg/data"
  as_postgres "$bin/initdb -D '$WORK/pg/data' -U neutron -A trust -E UTF8 --no-sync" > "$WORK/log/initdb.log" 2>&1 || return 1
  cat >> "$WORK/pg/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  touch "$WORK/pg-started" # before pg_ctl: a start that times out may still leave a postmaster
  as_postgres "$bin/pg_ctl -D '$WORK/pg/data' -l '$WORK/pg/postgres.log' -w -t 60 start" > "$WORK/log/pg_ctl.log" 2>&1 || return 1
  as_postgres "$bin/createdb -h '$sock' -U neutron neutron" >> "$WORK/log/pg_ctl.log" 2>&1
}

stop_postgres() {
  local bin
  bin=$(pg_bin)
  if [ -f "$WORK/pg-started" ] && [ -n "$bin" ]; then
    as_postgres "$bin/pg_ctl -D '$WORK/pg/data' -m fast -w -t 30 stop" > /dev/null 2>&1 || true
    rm -f "$WORK/pg-started"
  fi
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then (cd / && timeout 120 bash -c "$1"); else (cd / && timeout 120 su postgres -s /bin/bash -c "$1"); fi
}

fake_agents() {
  local h i=0 sql=""
  for h in $AGENT_HOSTS; do
    i=$((i + 1))
    sql+="INSERT INTO agents (id, agent_type, \"binary\", topic, host, admin_state_up, created_at, started_at,
      heartbeat_timestamp, configurations, load, availability_zone, resources_synced)
      VALUES ('11111111-2222-3333-4444-$(printf '%012d' "$i")', 'Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A',
      '$h', true, now(), now(), '2099-01-01 00:00:00',
      '{\"bridge_mappings\": {\"physnet1\": \"br-physnet1\"}, \"tunnel_types\": [\"vxlan\"], \"integration_bridge\": \"br-int\", \"datapath_type\": \"system\", \"ovs_hybrid_plug\": false}',
      0, 'nova', true);"
  done
  [ -z "$sql" ] && return 0
  printf '%s\n' "$sql" > "$WORK/etc/fake-agents.sql"
  chmod 644 "$WORK/etc/fake-agents.sql"
  as_postgres "$(pg_bin)/psql -q -v ON_ERROR_STOP=1 -h '$WORK/pg/run' -U neutron -d neutron -f '$WORK/etc/fake-agents.sql'" >> "$WORK/log/pg_ctl.log" 2>&1
}

do_start() {
  local t0 t1 port pid
  t0=$(now)
  if running && answers; then
    log "already running"
    endpoint
    return 0
  fi
  [ -d "$WORK" ] && do_stop
  do_install
  t1=$(now)
  [ "$(id -u)" = 0 ] || { log "start needs root (PostgreSQL runs as the postgres user)"; return 1; }
  mkdir -p "$WORK/etc" "$WORK/state/lock" "$WORK/log"
  chmod 755 "$WORK"
  port=$(free_port)
  echo "$port" > "$WORK/port"
  write_config "$port" "$WORK/pg/run"
  start_watchdog
  if ! start_postgres; then
    log "PostgreSQL did not start; see $WORK/log and $WORK/pg/postgres.log"
    stop_processes
    return 1
  fi
  if ! timeout 300 $PY -c 'import sys; from neutron.db.migration.cli import main; sys.exit(main())' \
    --config-file "$WORK/etc/neutron.conf" upgrade head > "$WORK/log/db-manage.log" 2>&1; then
    log "upgrade head failed; last lines of $WORK/log/db-manage.log:"
    tail -n 15 "$WORK/log/db-manage.log" >&2
    stop_processes
    return 1
  fi
  if ! fake_agents; then
    log "could not add the fake agent rows; see $WORK/log/pg_ctl.log"
    stop_processes
    return 1
  fi
  log "database ready in $(since "$t1") s"
  local attempt
  for attempt in 1 2 3; do
    if launch_server; then
      log "neutron-server answers after $(since "$t1") s from the end of install ($(since "$t0") s in all)"
      endpoint
      return 0
    fi
    if grep -q "Could not bind" "$WORK/log/neutron-server.log" "$WORK/log/neutron-server.out" 2>/dev/null; then
      port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
      log "port $(cat "$WORK/port") was taken meanwhile; trying $port"
      echo "$port" > "$WORK/port"
      sed -i "s/^bind_port = .*/bind_port = $port/" "$WORK/etc/neutron.conf"
      : > "$WORK/log/neutron-server.log"
      continue
    fi
    break
  done
  stop_processes
  log "start failed; logs kept in $WORK/log until the next start or stop"
  return 1
}

# Starts neutron-server and waits (bounded) until GET /v2.0/networks answers 200.
launch_server() {
  local pid deadline
  # setsid: its own session and process group (pgid = pid), so stop can kill every worker.
  setsid timeout "$LIFETIME" $PY -c 'import sys; from neutron.cmd.eventlet.server import main; sys.exit(main())' \
    --config-file "$WORK/etc/neutron.conf" --log-file "$WORK/log/neutron-server.log" \
    > "$WORK/log/neutron-server.out" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$WORK/neutron.pid"
  deadline=$((SECONDS + START_TIMEOUT))
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "neutron-server exited; last lines of $WORK/log/neutron-server.log:"
      tail -n 20 "$WORK/log/neutron-server.log" "$WORK/log/neutron-server.out" >&2 || true
      rm -f "$WORK/neutron.pid"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "neutron-server did not answer GET /v2.0/networks within $START_TIMEOUT s; see $WORK/log"
      return 1
    fi
    sleep 0.2
  done
}

# PostgreSQL has no `timeout` wrapper: a watchdog stops everything after the lifetime, so a test
# JVM killed with SIGKILL leaves nothing running for longer than VPCCNI_NEUTRON_LIFETIME.
start_watchdog() {
  VPCCNI_NEUTRON_DIR="$WORK" setsid bash "$0" _expire "$LIFETIME" > /dev/null 2>&1 < /dev/null &
  echo $! > "$WORK/watchdog.pid"
}

stop_processes() {
  local pid i
  if [ -f "$WORK/neutron.pid" ]; then
    pid=$(cat "$WORK/neutron.pid")
    # pid is the `timeout` wrapper, leader of the process group setsid made; TERM reaches the
    # server, which stops its workers; whatever is left after 10 s gets KILL.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$WORK/neutron.pid"
  fi
  stop_postgres
  if [ -f "$WORK/watchdog.pid" ]; then
    pid=$(cat "$WORK/watchdog.pid")
    rm -f "$WORK/watchdog.pid"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  fi
}

do_stop() {
  stop_processes
  [ -d "$WORK" ] || return 0
  case "$WORK" in
    /tmp/*|/var/tmp/*|*/target/*) rm -rf "$WORK" ;;
    *) if [ -f "$WORK/etc/neutron.conf" ]; then rm -rf "$WORK"; else log "not removing $WORK (unexpected layout)"; fi ;;
  esac
}

do_status() {
  if running && answers; then
    echo "running $(endpoint)"
  else
    echo "stopped"
    return 3
  fi
}

case "${1:-}" in
  install) do_install ;;
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  _expire) sleep "${2:-$LIFETIME}"; rm -f "$WORK/watchdog.pid"; do_stop ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac

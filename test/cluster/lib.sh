# Shared by up.sh and down.sh: names, ports and directories of the pgpatronictl test cluster.
# Everything here is ours alone: cluster names start with pgpt_, ports are 22379+ and 25432+,
# and every file lives under $STATE, except what pg-common itself keeps per cluster
# (/etc/postgresql/15/pgpt_*, /var/lib/postgresql/15/pgpt_*, their logs and pgpass files).

STATE=${PGPT_TEST_STATE:-/var/lib/pgpatronictl-test}
CONF="$STATE/patroni"           # the Patroni config dir pgpatronictl is pointed at (--config-dir)
PIDS="$STATE/pids"              # PID files of every daemon we start, and only those
LOGS="$STATE/logs"
MANIFEST="$STATE/manifest"      # what up.sh created, for down.sh to remove
VERSION=15
ETCD_CLIENT=22379
ETCD_PEER=22380
NAMESPACE=/postgresql-common/

# instance name, PostgreSQL port (REST = port + 2576, as pg_createconfig_patroni derives it)
HA=pgpt_ha;       HA_PORT=25432       # node1 here; node2/node3 simulate other hosts
AUTH=pgpt_auth;   AUTH_PORT=25442     # REST API with basic auth
PLAIN=pgpt_plain; PLAIN_PORT=25452    # pg-common cluster without Patroni
NEW=pgpt_new;     NEW_PORT=25462      # configured, never bootstrapped
TLS=pgpt_tls;     TLS_PORT=25482      # REST API over https, our own CA, client certificate required
V4=pgpt_v4;       V4_PORT=25492       # Patroni 4.0.7 (Debian 13's package, unpacked): node1 here, node2/node3 simulated
ORPHAN=pgpt_orphan                    # a config for PostgreSQL 13, which is not installed
REST_USER=patroni
REST_PASSWORD=pgpt-rest-secret
TLS_DIR="$STATE/tls"            # the test CA, the REST API's server certificate, pgpatronictl's client certificate
TLS_KEY_PASSWORD=pgpt-key-pass  # the client key is encrypted (ctl.keyfile_password)

# Debian 13's patroni, downloaded (never installed) and unpacked: it runs on this machine's python3
# with the Python packages Debian 12's patroni pulls in. Kept across down.sh, like the apt packages
# (down.sh --purge removes it), so a rebuilt cluster does not download it again.
PATRONI4_DEB=4.0.7-3~deb13u1
PATRONI4_VERSION=4.0.7
PATRONI4=${PGPT_PATRONI4_DIR:-/var/cache/pgpatronictl-test/patroni4}
PATRONI4_PYTHONPATH="$PATRONI4/root/usr/lib/python3/dist-packages"
PATRONICTL4="$PATRONI4/bin/patronictl"  # patroni.ctl:ctl of 4.0.7, for tests to compare with

say() { printf '[cluster] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# pid_alive PIDFILE NEEDLE: the PID file names a live process whose command line contains
# NEEDLE (our own config or data path), so a recycled PID is never mistaken for ours.
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# port_holder PORT: the PID listening on a TCP port of 127.0.0.1, if any.
port_holder() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

# adopt PIDFILE PORT NEEDLE: when our daemon still runs but its PID file was lost, find it
# by its port and take it back only if its command line names our own files.
adopt() {
  local pid
  pid=$(port_holder "$2")
  [ -n "$pid" ] || return 1
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$3"; then
    echo "$pid" >"$1"
    say "adopted running pid $pid for $(basename "$1" .pid)"
    return 0
  fi
  die "port $2 is in use by pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline")), which is not ours"
}

# stop_pidfile PIDFILE NEEDLE: TERM, wait, then KILL, only a process we started.
stop_pidfile() {
  if pid_alive "$1" "$2"; then
    start-stop-daemon --stop --quiet --pidfile "$1" --retry TERM/30/KILL/5 || true
  fi
  rm -f "$1"
}

# member_dir SCOPE N: where a simulated other host of a 3-member scope keeps its data and conf
member_dir() { if [ "$1" = "$HA" ]; then echo "$STATE/node$2"; else echo "$STATE/$1-node$2"; fi; }

remember() { grep -qxF -- "$1" "$MANIFEST" 2>/dev/null || echo "$1" >>"$MANIFEST"; }
remembered() { grep -qxF -- "$1" "$MANIFEST" 2>/dev/null; }

#!/usr/bin/env bash
# Builds (or repairs) pgpatronictl's real test cluster, as root on Debian 12, from Debian's packages:
#   etcd 3.4 on 127.0.0.1:22379 (etcd3 API)
#   15/pgpt_ha     3-member Patroni scope: node1 is this host's pg-common instance (25432, REST 28008),
#                  node2/node3 simulate other hosts (25433/28009, 25434/28010) under $STATE
#   15/pgpt_auth   1-member Patroni scope whose REST API needs basic auth (25442, REST 28018)
#   15/pgpt_tls    1-member Patroni scope whose REST API is https with a client certificate (25482, REST 28058)
#   15/pgpt_plain  a plain pg-common cluster, no Patroni (25452)
#   15/pgpt_new    a Patroni config that was never bootstrapped (25462, REST 28038)
#   15/pgpt_v4     3-member scope run by Patroni 4.0.7 (Debian 13's package, downloaded and unpacked,
#                  not installed): node1 here (25492, REST 28068), node2/node3 simulated (25493-25494)
#   13/pgpt_orphan a Patroni config for a PostgreSQL version that is not installed
# Idempotent: run it again after a crash, a kill -9 or a wiped /run and it restarts what is missing.
# It never touches an instance, port or process it did not create. Undo with down.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
started_at=$(date +%s%N)

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and runs PostgreSQL as postgres)"
[ -r /etc/debian_version ] || die "needs Debian or Ubuntu (postgresql-common, patroni)"

install_packages() {
  local wanted=(postgresql-common postgresql-$VERSION postgresql-client-$VERSION patroni etcd-server etcd-client
    python3-etcd python3-yaml iproute2 curl util-linux tmux zsh openssl) missing=() p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # no main cluster from a fresh postgresql-15, and no daemons started by package scripts
  # (Debian's etcd-server would otherwise start on 2379, a real etcd's port)
  mkdir -p /etc/postgresql-common
  if ! dpkg-query -W -f='${Status}' "postgresql-$VERSION" 2>/dev/null | grep -q 'install ok installed'; then
    if [ -f /etc/postgresql-common/createcluster.conf ]; then
      sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
      grep -q '^create_main_cluster = false' /etc/postgresql-common/createcluster.conf ||
        echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
    else
      echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
    fi
  fi
  local own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" >"/tmp/pgpt-apt.log" 2>&1 || {
    say "apt-get install failed; updating the package lists and retrying"
    apt-get update -q >>"/tmp/pgpt-apt.log" 2>&1
    apt-get install -y -q --no-install-recommends "${missing[@]}" >>"/tmp/pgpt-apt.log" 2>&1
  } || { [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d; tail -20 /tmp/pgpt-apt.log >&2; die "apt-get failed"; }
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
}

make_dirs() {
  mkdir -p "$STATE" "$CONF" "$PIDS" "$LOGS" "$STATE/others"
  chmod 755 "$STATE" "$CONF" "$STATE/others"
  chown postgres:postgres "$LOGS"
  touch "$MANIFEST"
  # the socket directory lives in /run, which a reboot or a container restart empties
  if [ ! -d /var/run/postgresql ]; then
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    say "recreated /var/run/postgresql"
  fi
}

start_etcd() {
  local pidfile="$PIDS/etcd.pid" needle="$STATE/etcd"
  pid_alive "$pidfile" "$needle" || adopt "$pidfile" "$ETCD_CLIENT" "$needle" && return 0
  install -d -o etcd -g etcd -m 700 "$STATE/etcd"
  start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$pidfile" --chuid etcd \
    --output "$LOGS/etcd.log" --exec /usr/bin/etcd -- --name pgpt-etcd --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-cluster "pgpt-etcd=http://127.0.0.1:$ETCD_PEER"
  for _ in $(seq 100); do
    curl -sf --max-time 1 "http://127.0.0.1:$ETCD_CLIENT/health" >/dev/null && return 0
    sleep 0.1
  done
  tail -5 "$LOGS/etcd.log" >&2
  die "etcd did not come up on 127.0.0.1:$ETCD_CLIENT"
}

# Debian's pg_createconfig_patroni writes only to /etc/patroni: run it in a private mount
# namespace where our config dir is /etc/patroni, so the host's real one is never touched.
create_config() { # NAME PORT [PG_CREATECONFIG_PATRONI [WHOSE]]
  local file="$CONF/$VERSION-$1.yml"
  [ -f "$file" ] && return 0
  unshare --mount -- sh -c 'mount --bind "$1" /etc/patroni && shift && exec "$@"' \
    sh "$CONF" "${3:-pg_createconfig_patroni}" --hostip=127.0.0.1 --network=127.0.0.1/32 --port="$2" "$VERSION" "$1" >/dev/null
  sed -i -e "1i # pgpatronictl test cluster: made by ${4:-}pg_createconfig_patroni, edited by test/cluster/up.sh" \
    -e 's/^name: .*/name: node1/' \
    -e 's/^    ttl: 30$/    ttl: 20/' -e 's/^    loop_wait: 10$/    loop_wait: 5/' -e 's/^    retry_timeout: 10$/    retry_timeout: 5/' \
    -e "s/^  listen: \"\\*:$2\"\$/  listen: \"127.0.0.1:$2\"/" \
    -e 's/^#    rewind:/    rewind:/' -e 's/^#      username: "rewind"/      username: "rewind"/' \
    -e 's/^#      password: "rewind-pass"/      password: "rewind-pass"/' "$file"
  remember "file /var/lib/postgresql/$VERSION-$1.pgpass"
  remember "file /var/log/postgresql/postgresql-$VERSION-$1.log"
}

# Debian 13's patroni from a private apt source list for trixie: the machine's own sources, lists
# and caches are never changed, and nothing is installed. Unpacked with dpkg -x into $PATRONI4,
# whose file `complete` (the package version) says it is whole.
fetch_patroni4() {
  [ "$(cat "$PATRONI4/complete" 2>/dev/null)" = "$PATRONI4_DEB" ] && return 0
  local uri tmp log="$LOGS/patroni4-download.log" a
  uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null | head -1)
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  mkdir -p "$(dirname "$PATRONI4")"
  tmp=$(mktemp -d "$PATRONI4.download.XXXXXX")
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
  echo "deb $uri trixie main" >"$tmp/trixie.list"
  a=(-q -o "Dir::Etc::sourcelist=$tmp/trixie.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o APT::Sandbox::User=root)
  say "downloading patroni $PATRONI4_DEB from Debian 13 (trixie, $uri) into $PATRONI4: unpacked, not installed"
  if ! { apt-get "${a[@]}" update && (cd "$tmp" && apt-get "${a[@]}" download "patroni=$PATRONI4_DEB"); } >"$log" 2>&1; then
    rm -rf "$tmp"
    grep -E '^(E|W):' "$log" | head -3 >&2 || true
    die "could not download patroni $PATRONI4_DEB (Debian 13) from $uri; the $VERSION/$V4 scope needs it (log: $log)"
  fi
  rm -rf "$PATRONI4"
  mkdir -p "$PATRONI4/bin"
  chmod 755 "$PATRONI4"
  dpkg -x "$tmp"/patroni_*_all.deb "$PATRONI4/root"
  rm -rf "$tmp"
  # compiled once, as root: Patroni runs as postgres, who cannot write __pycache__ here
  /usr/bin/python3 -m compileall -q "$PATRONI4_PYTHONPATH" >/dev/null || true
  local tool
  for tool in patroni patronictl; do
    printf '#!/bin/sh\n# %s %s from Debian 13 (%s), unpacked by test/cluster/up.sh, on this machine'"'"'s python3\nPYTHONPATH='"'"'%s'"'"' exec /usr/bin/python3 '"'"'%s'"'"' "$@"\n' \
      "$tool" "$PATRONI4_VERSION" "$PATRONI4_DEB" "$PATRONI4_PYTHONPATH" "$PATRONI4/root/usr/bin/$tool" >"$PATRONI4/bin/$tool"
    chmod 755 "$PATRONI4/bin/$tool"
  done
  # the bookworm Python packages it needs (click, prettytable, psycopg2, urllib3, ...) are there
  local got
  got=$(PYTHONPATH="$PATRONI4_PYTHONPATH" /usr/bin/python3 -c 'import patroni.ctl, patroni.dcs.etcd3; from patroni.version import __version__; print(__version__)' 2>&1) ||
    die "the unpacked patroni $PATRONI4_DEB does not run on /usr/bin/python3: $(echo "$got" | tail -1)"
  [ "$got" = "$PATRONI4_VERSION" ] || die "the unpacked patroni says it is $got, not $PATRONI4_VERSION"
  echo "$PATRONI4_DEB" >"$PATRONI4/complete"
}

# Patroni 4.0.7's own check of a config it is about to start with. Debian's template fails it in
# ways that are expected here (loopback addresses, the superuser's empty password for peer
# authentication over the socket, an empty bootstrap.dcs.postgresql.parameters): anything
# else is reported. The whole output is kept in $LOGS.
validate_v4() { # CONFIG LABEL
  local out="$LOGS/validate-config-$2.txt" unexpected
  PYTHONPATH="$PATRONI4_PYTHONPATH" /usr/bin/python3 "$PATRONI4/root/usr/bin/patroni" --validate-config "$1" >"$out" 2>&1 || true
  unexpected=$(grep -vE "^(restapi|postgresql)\.connect_address 127\.0\.0\.1:[0-9]+ didn't pass validation: must not contain \"127\.0\.0\.1\"|^bootstrap\.dcs\.postgresql\.parameters None is not a dictionary$|^postgresql\.authentication\.superuser\.password None is not a string$" "$out" || true)
  [ -z "$unexpected" ] || say "warning: patroni $PATRONI4_VERSION --validate-config $1: $(echo "$unexpected" | paste -sd ';')"
}

# A private CA; the REST API's certificate for 127.0.0.1; a client certificate with an encrypted key,
# readable by postgres as ctl.keyfile is on a Debian host (Patroni's configs are postgres's).
make_tls() {
  [ -s "$TLS_DIR/client.pem" ] && { chown root:postgres "$TLS_DIR/client.key" && chmod 640 "$TLS_DIR/client.key"; return 0; }
  install -d -m 755 "$TLS_DIR"
  local ssl="openssl" d="$TLS_DIR"
  $ssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=pgpatronictl test CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  $ssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$d/server.ext"
  $ssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 3650 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
  $ssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-128-cbc -pass "pass:$TLS_KEY_PASSWORD" -out "$d/client.key" 2>/dev/null
  $ssl req -new -key "$d/client.key" -passin "pass:$TLS_KEY_PASSWORD" -subj "/CN=pgpatronictl" -out "$d/client.csr" 2>/dev/null
  $ssl x509 -req -in "$d/client.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 3650 -out "$d/client.tmp" 2>/dev/null
  chown postgres:postgres "$d/server.key" && chmod 600 "$d/server.key" "$d/ca.key"
  chown root:postgres "$d/client.key" && chmod 640 "$d/client.key"
  mv "$d/client.tmp" "$d/client.pem" # last: its presence means the set is complete
}

write_configs() {
  [ -f "$CONF/dcs.yml" ] || printf 'etcd3:\n  hosts: 127.0.0.1:%s\n' "$ETCD_CLIENT" >"$CONF/dcs.yml"
  [ -f "$CONF/config.yml.in" ] || cp /etc/patroni/config.yml.in "$CONF/config.yml.in"
  create_config "$HA" "$HA_PORT"
  create_config "$NEW" "$NEW_PORT"
  if [ ! -f "$CONF/$VERSION-$AUTH.yml" ]; then
    create_config "$AUTH" "$AUTH_PORT"
    sed -i -e 's/^#  authentication:/  authentication:/' \
      -e "s/^#    username: username/    username: $REST_USER/" -e "s/^#    password: password/    password: $REST_PASSWORD/" \
      "$CONF/$VERSION-$AUTH.yml"
    printf '\nctl:\n  authentication:\n    username: %s\n    password: %s\n' "$REST_USER" "$REST_PASSWORD" >>"$CONF/$VERSION-$AUTH.yml"
  fi
  if [ ! -f "$CONF/$VERSION-$TLS.yml" ]; then
    create_config "$TLS" "$TLS_PORT"
    # Debian's template has the lines commented out: the REST API over https, a client
    # certificate required (signed by our CA), and pgpatronictl's own certificate under ctl
    sed -i -e "s|^#  certfile: .*|  certfile: $TLS_DIR/server.pem|" \
      -e "s|^#  keyfile: .*|  keyfile: $TLS_DIR/server.key\n  cafile: $TLS_DIR/ca.pem\n  verify_client: required|" \
      -e "s|^# ctl:|ctl:|" -e "s|^#   insecure: .*|  insecure: false|" \
      -e "s|^#   certfile: .*|  certfile: $TLS_DIR/client.pem\n  keyfile: $TLS_DIR/client.key\n  keyfile_password: $TLS_KEY_PASSWORD|" \
      -e "s|^#   cacert: .*|  cacert: $TLS_DIR/ca.pem|" "$CONF/$VERSION-$TLS.yml"
  fi
  # PostgreSQL 13 is not installed, so pg_createconfig_patroni refuses it: derive it from a real one
  if [ ! -f "$CONF/13-$ORPHAN.yml" ]; then
    sed -e "s/$VERSION-$NEW/13-$ORPHAN/g; s/$NEW_PORT/$((NEW_PORT + 10))/g; s/$((NEW_PORT + 2576))/$((NEW_PORT + 2586))/g; s#/$VERSION/$NEW#/13/$ORPHAN#g; s#postgresql/$VERSION/bin#postgresql/13/bin#" \
      -e "s/$VERSION-$NEW/13-$ORPHAN/g" "$CONF/$VERSION-$NEW.yml" >"$CONF/13-$ORPHAN.yml"
    chown postgres:postgres "$CONF/13-$ORPHAN.yml" && chmod 660 "$CONF/13-$ORPHAN.yml"
  fi
  write_others "$HA" "$HA_PORT"
}

# node2 and node3 of a 3-member scope stand for other hosts: their own ports and directories,
# basebackup clones of node1
write_others() { # NAME PORT
  local n port file
  for n in 2 3; do
    port=$(($2 + n - 1))
    file="$STATE/others/$VERSION-$1-node$n.yml"
    [ -f "$file" ] && continue
    /usr/bin/python3 - "$CONF/$VERSION-$1.yml" "$file" "node$n" "$port" "$((port + 2576))" "$(member_dir "$1" "$n")" "$LOGS" <<'PY'
import sys, yaml
src, dst, name, pg, rest, base, logs = sys.argv[1:]
c = yaml.safe_load(open(src))
c['name'] = name
c['restapi']['listen'] = c['restapi']['connect_address'] = f'127.0.0.1:{rest}'
p = c['postgresql']
p['listen'] = p['connect_address'] = f'127.0.0.1:{pg}'
p.update(data_dir=f'{base}/data', config_dir=f'{base}/conf', pgpass=f'{base}/pgpass', create_replica_method=['basebackup'])
p.pop('pg_clonecluster', None)
p['parameters'].update(log_directory=logs, log_filename=f'postgresql-{c["scope"]}-{name}.log')
# never bootstrap through pg_createcluster: that would create a pg-common cluster on this host
c['bootstrap'].pop('method', None)
c['bootstrap'].pop('pg_createcluster', None)
with open(dst, 'w') as out:
    out.write(f'# pgpatronictl test cluster: a simulated other host, derived from {src.rsplit("/", 1)[-1]} by up.sh\n')
    yaml.safe_dump(c, out, sort_keys=False)
PY
    chown postgres:postgres "$file"
    chmod 660 "$file"
    [ "$1" != "$V4" ] || validate_v4 "$file" "$VERSION-$1-node$n"
  done
}

write_v4_configs() {
  if [ ! -f "$CONF/$VERSION-$V4.yml" ]; then
    create_config "$V4" "$V4_PORT" "$PATRONI4/root/usr/bin/pg_createconfig_patroni" "Debian 13's (patroni $PATRONI4_DEB) "
    validate_v4 "$CONF/$VERSION-$V4.yml" "$VERSION-$V4-node1"
  fi
  write_others "$V4" "$V4_PORT"
}

# a pg-common cluster we did not create is never adopted, dropped or started
claim_cluster() { # NAME
  if [ -e "/etc/postgresql/$VERSION/$1" ] && ! remembered "cluster $VERSION $1"; then
    die "/etc/postgresql/$VERSION/$1 exists and was not created by this script; not touching it"
  fi
  remember "cluster $VERSION $1"
}

start_plain() {
  claim_cluster "$PLAIN"
  if [ ! -e "/etc/postgresql/$VERSION/$PLAIN/postgresql.conf" ]; then
    pg_createcluster -p "$PLAIN_PORT" "$VERSION" "$PLAIN" >/dev/null
  fi
  # the postmaster outlives this script: it must not keep our caller's descriptors (a held
  # flock(1) lock on 3, a CI runner's pipes) open for as long as it runs
  pg_ctlcluster "$VERSION" "$PLAIN" status >/dev/null 2>&1 || pg_ctlcluster "$VERSION" "$PLAIN" start 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
}

start_patroni() { # ID CONFIG REST_PORT [DATA_DIR [4]]
  local pidfile="$PIDS/patroni-$1.pid" patroni=(/usr/bin/patroni) env=()
  [ "${5:-}" != 4 ] || { patroni=(/usr/bin/python3 "$PATRONI4/root/usr/bin/patroni"); env=(env "PYTHONPATH=$PATRONI4_PYTHONPATH"); }
  pid_alive "$pidfile" "$2" || adopt "$pidfile" "$3" "$2" && return 0
  if [ -n "${4:-}" ]; then
    install -d -o postgres -g postgres -m 755 "$4"
    install -d -o postgres -g postgres -m 700 "$4/data"
    install -d -o postgres -g postgres -m 755 "$4/conf"
    # Patroni 3.0.2 cannot start a replica whose config_dir has no postgresql(.base).conf
    [ -e "$4/conf/postgresql.base.conf" ] || install -o postgres -g postgres -m 644 /dev/null "$4/conf/postgresql.base.conf"
    [ -e "$4/conf/pg_ident.conf" ] || install -o postgres -g postgres -m 640 /dev/null "$4/conf/pg_ident.conf"
  fi
  "${env[@]}" start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$pidfile" --chuid postgres \
    --chdir /var/lib/postgresql --output "$LOGS/patroni-$1.log" --exec "${patroni[0]}" -- "${patroni[@]:1}" "$2"
}

# cluster_ready REST_PORT MEMBERS: all members running, one leader, replicas with a numeric lag;
# MEMBERS "leader": only that a running leader is there
cluster_ready() {
  local url="http://127.0.0.1:$1/cluster" tls=()
  if [ "$1" = $((TLS_PORT + 2576)) ]; then
    url="https://127.0.0.1:$1/cluster"
    tls=(--cacert "$TLS_DIR/ca.pem" --cert "$TLS_DIR/client.pem" --key "$TLS_DIR/client.key" --pass "$TLS_KEY_PASSWORD")
  fi
  curl -sf --max-time 2 "${tls[@]}" "$url" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
try:
    members = json.load(sys.stdin)["members"]
except ValueError:
    sys.exit(1)
leaders = [m for m in members if m["role"] in ("leader", "master")]
if sys.argv[1] == "leader":
    sys.exit(0 if any(m["state"] == "running" for m in leaders) else 1)
if sys.argv[1] == "caught-up":
    sys.exit(0 if all(m.get("lag") == 0 for m in members if m not in leaders) else 1)
ok = len(members) == int(sys.argv[1]) and len(leaders) == 1 \
  and all(m["state"] in ("running", "streaming") for m in members) \
  and all(isinstance(m.get("lag"), int) for m in members if m not in leaders)
sys.exit(0 if ok else 1)' "$2"
}

wait_for() { # SECONDS WHAT COMMAND...
  local deadline=$(($(date +%s) + $1)) what=$2
  shift 2
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || { say "timed out waiting for $what; logs in $LOGS"; return 1; }
    sleep 0.3
  done
}

# the members of a 3-member scope, as JSON: node1 here (a pg-common cluster), node2/node3 simulated
members_json() { # NAME PORT
  local n port
  printf '      "node1": {"pgPort": %s, "restPort": %s, "config": "%s", "pidFile": "%s", "dataDir": "%s"},\n' \
    "$2" $(($2 + 2576)) "$CONF/$VERSION-$1.yml" "$PIDS/patroni-$1-node1.pid" "/var/lib/postgresql/$VERSION/$1"
  for n in 2 3; do
    port=$(($2 + n - 1))
    printf '      "node%s": {"pgPort": %s, "restPort": %s, "config": "%s", "pidFile": "%s", "dataDir": "%s"}%s\n' \
      "$n" "$port" $((port + 2576)) "$STATE/others/$VERSION-$1-node$n.yml" "$PIDS/patroni-$1-node$n.pid" "$(member_dir "$1" "$n")/data" "$([ $n = 3 ] || echo ,)"
  done
}

write_manifest_json() {
  cat >"$STATE/cluster.json" <<EOF
{
  "configDir": "$CONF",
  "etcd": "127.0.0.1:$ETCD_CLIENT",
  "namespace": "$NAMESPACE",
  "instances": {
    "ha": {"name": "$VERSION/$HA", "scope": "$VERSION-$HA", "config": "$CONF/$VERSION-$HA.yml", "members": {
$(members_json "$HA" "$HA_PORT")
    }},
    "auth": {"name": "$VERSION/$AUTH", "scope": "$VERSION-$AUTH", "config": "$CONF/$VERSION-$AUTH.yml", "username": "$REST_USER", "password": "$REST_PASSWORD", "members": {
      "node1": {"pgPort": $AUTH_PORT, "restPort": $((AUTH_PORT + 2576)), "config": "$CONF/$VERSION-$AUTH.yml", "pidFile": "$PIDS/patroni-$AUTH-node1.pid", "dataDir": "/var/lib/postgresql/$VERSION/$AUTH"}
    }},
    "tls": {"name": "$VERSION/$TLS", "scope": "$VERSION-$TLS", "config": "$CONF/$VERSION-$TLS.yml", "caFile": "$TLS_DIR/ca.pem", "certFile": "$TLS_DIR/client.pem", "keyFile": "$TLS_DIR/client.key", "keyPassword": "$TLS_KEY_PASSWORD", "members": {
      "node1": {"pgPort": $TLS_PORT, "restPort": $((TLS_PORT + 2576)), "config": "$CONF/$VERSION-$TLS.yml", "pidFile": "$PIDS/patroni-$TLS-node1.pid", "dataDir": "/var/lib/postgresql/$VERSION/$TLS"}
    }},
    "v4": {"name": "$VERSION/$V4", "scope": "$VERSION-$V4", "config": "$CONF/$VERSION-$V4.yml", "patroniVersion": "$PATRONI4_VERSION", "debianVersion": "$PATRONI4_DEB", "patroni": "$PATRONI4/bin/patroni", "patronictl": "$PATRONICTL4", "members": {
$(members_json "$V4" "$V4_PORT")
    }},
    "plain": {"name": "$VERSION/$PLAIN", "port": $PLAIN_PORT},
    "new": {"name": "$VERSION/$NEW", "config": "$CONF/$VERSION-$NEW.yml", "pgPort": $NEW_PORT, "restPort": $((NEW_PORT + 2576))},
    "orphan": {"name": "13/$ORPHAN", "config": "$CONF/13-$ORPHAN.yml"}
  }
}
EOF
}

install_packages
make_dirs
fetch_patroni4 &
fetching=$!
start_etcd
make_tls
write_configs
claim_cluster "$HA"
claim_cluster "$AUTH"
claim_cluster "$TLS"
claim_cluster "$V4"
start_plain
start_patroni "$HA-node1" "$CONF/$VERSION-$HA.yml" $((HA_PORT + 2576))
start_patroni "$AUTH-node1" "$CONF/$VERSION-$AUTH.yml" $((AUTH_PORT + 2576))
start_patroni "$TLS-node1" "$CONF/$VERSION-$TLS.yml" $((TLS_PORT + 2576))
wait "$fetching" || exit 1 # it said why
write_v4_configs
start_patroni "$V4-node1" "$CONF/$VERSION-$V4.yml" $((V4_PORT + 2576)) "" 4
wait_for 90 "$VERSION/$HA to have a leader" cluster_ready $((HA_PORT + 2576)) leader
for n in 2 3; do
  start_patroni "$HA-node$n" "$STATE/others/$VERSION-$HA-node$n.yml" $((HA_PORT + n - 1 + 2576)) "$STATE/node$n"
done
wait_for 90 "$VERSION/$V4 (Patroni $PATRONI4_VERSION) to have a leader" cluster_ready $((V4_PORT + 2576)) leader
for n in 2 3; do
  start_patroni "$V4-node$n" "$STATE/others/$VERSION-$V4-node$n.yml" $((V4_PORT + n - 1 + 2576)) "$(member_dir "$V4" "$n")" 4
done
wait_for 120 "$VERSION/$HA: 3 members running, replicas streaming" cluster_ready $((HA_PORT + 2576)) 3
wait_for 120 "$VERSION/$V4: 3 members running, replicas streaming" cluster_ready $((V4_PORT + 2576)) 3
wait_for 60 "$VERSION/$AUTH to lead" cluster_ready $((AUTH_PORT + 2576)) 1
wait_for 60 "$VERSION/$TLS to lead" cluster_ready $((TLS_PORT + 2576)) 1
# a fresh replica reports the lag of its base backup until the leader's next HA loop
wait_for 20 "$VERSION/$HA replicas to catch up (not an error)" cluster_ready $((HA_PORT + 2576)) caught-up || true
wait_for 20 "$VERSION/$V4 replicas to catch up (not an error)" cluster_ready $((V4_PORT + 2576)) caught-up || true
write_manifest_json
say "ready in $((($(date +%s%N) - started_at) / 1000000)) ms: $VERSION/$HA (3 members), $VERSION/$AUTH, $VERSION/$TLS, $VERSION/$V4 (3 members, Patroni $PATRONI4_VERSION), $VERSION/$PLAIN, $VERSION/$NEW (not bootstrapped), 13/$ORPHAN; configs in $CONF"

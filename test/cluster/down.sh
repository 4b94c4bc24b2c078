#!/usr/bin/env bash
# Stops the test cluster built by up.sh and removes what it created.
#   --keep-data   only stop the daemons (up.sh then restarts the same cluster quickly)
#   --purge       also remove the unpacked Patroni 4.0.7 that up.sh keeps across teardowns
# Stops only processes named by our PID files (and checked against our own paths); drops only
# the pg-common clusters listed in our manifest; leaves packages and every other instance alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

keep= purge=
case ${1:-} in
  --keep-data) keep=1 ;;
  --purge) purge=1 ;;
  '') ;;
  *) die "usage: down.sh [--keep-data|--purge]" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root"
purge_patroni4() {
  [ -n "$purge" ] && [ -e "$PATRONI4" ] || return 0
  rm -rf -- "$PATRONI4"
  rmdir --ignore-fail-on-non-empty -- "$(dirname "$PATRONI4")"
  say "removed the unpacked patroni $PATRONI4_VERSION ($PATRONI4)"
}
[ -d "$STATE" ] || { say "nothing to do: $STATE does not exist"; purge_patroni4; exit 0; }

# a postmaster Patroni left behind (Patroni was killed -9): stop it through its own data dir
stop_postmaster() { # DATA_DIR
  local pid
  [ -s "$1/postmaster.pid" ] || return 0
  pid=$(head -1 "$1/postmaster.pid")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$1" || return 0
  runuser -u postgres -- "/usr/lib/postgresql/$VERSION/bin/pg_ctl" stop -D "$1" -m fast -w >/dev/null 2>&1 || true
}

# replicas first, so the leaders do not wait for them; all members of a kind at once
for id in "$HA" "$V4"; do
  for n in 3 2; do
    { stop_pidfile "$PIDS/patroni-$id-node$n.pid" "$STATE/others/$VERSION-$id-node$n.yml"
      stop_postmaster "$(member_dir "$id" "$n")/data"; } &
  done
done
wait
for id in "$HA" "$AUTH" "$TLS" "$V4"; do
  { stop_pidfile "$PIDS/patroni-$id-node1.pid" "$CONF/$VERSION-$id.yml"
    if remembered "cluster $VERSION $id"; then stop_postmaster "/var/lib/postgresql/$VERSION/$id"; fi; } &
done
wait
if remembered "cluster $VERSION $PLAIN" && [ -e "/etc/postgresql/$VERSION/$PLAIN/postgresql.conf" ]; then
  pg_ctlcluster "$VERSION" "$PLAIN" stop -m fast 2>/dev/null || true
fi
stop_pidfile "$PIDS/etcd.pid" "$STATE/etcd"

if [ -n "$keep" ]; then
  say "stopped; data kept in $STATE (up.sh restarts it)"
  exit 0
fi

while read -r kind a b; do
  case $kind in
    cluster)
      [ -e "/etc/postgresql/$a/$b/postgresql.conf" ] && pg_dropcluster "$a" "$b"
      # Patroni leaves postgresql.base.conf and *.backup files, which pg_dropcluster keeps
      rm -rf -- "/etc/postgresql/$a/$b" "/var/lib/postgresql/$a/$b" ;;
    file) rm -f -- "$a" ;;
  esac
done <"$MANIFEST"
rm -rf -- "$STATE"
say "removed the test cluster ($STATE and the pg-common clusters it created)"
purge_patroni4

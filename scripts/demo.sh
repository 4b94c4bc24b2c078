#!/usr/bin/env bash
# `npm run demo`: after scripts/ensure-setup.mjs has built the tool and the test cluster,
# show pgpatronictl on it. The cluster keeps running; `npm run cluster:down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${PGPT_TEST_STATE:-/var/lib/pgpatronictl-test}
[ -s "$state/cluster.json" ] || { echo "demo: no test cluster in $state (it needs root on Debian 12)" >&2; exit 1; }
export PGPATRONICTL_CONFIG_DIR="$state/patroni"
show() { printf '\n$ %s\n' "$*"; "$@"; }
echo "PGPATRONICTL_CONFIG_DIR=$PGPATRONICTL_CONFIG_DIR (on a real host the default, /etc/patroni, needs no setting)"
show bin/pgpatronictl.cjs list
show bin/pgpatronictl.cjs list 15/pgpt_ha
show bin/pgpatronictl.cjs list 15-pgpt_ha 15/pgpt_auth --extended
echo
echo "The cluster keeps running. Stop and remove it with: npm run cluster:down"

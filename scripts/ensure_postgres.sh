#!/usr/bin/env bash
# Make sure a PostgreSQL server (initdb, pg_ctl, postgres) is installed for the tests that run
# against PostgreSQL. Installs Debian's postgresql package with apt where missing. The tests start
# a throwaway cluster of their own in a temporary folder (tests/postgres.py); nothing here starts
# a server. Never fails the run: when it cannot install, it says so and the PostgreSQL tests then
# fail loudly (they never skip).
set -u

initdb_path() {
  command -v initdb 2>/dev/null || compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -1
}
if [ -n "$(initdb_path)" ]; then
  exit 0
fi
if "$(dirname "$0")/apt_install.sh" ensure_postgres postgresql; then
  echo "ensure_postgres: $(initdb_path)" >&2
fi
exit 0

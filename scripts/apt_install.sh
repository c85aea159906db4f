#!/usr/bin/env bash
# apt_install.sh NAME PACKAGE: install Debian's PACKAGE with apt-get (as root, or with sudo -n),
# for the test setup scripts (ensure_chromium.sh, ensure_postgres.sh). Never fails the run: when
# it cannot install (no apt, no root, no network), it says so on stderr, prefixed with NAME, and
# the tests that need the package then fail loudly (they never skip).
set -u
NAME="$1"
PACKAGE="$2"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$NAME: $PACKAGE is missing and apt-get is not available; the tests that need it will fail" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "$NAME: $PACKAGE is missing and installing it needs root; the tests that need it will fail" >&2
    exit 0
  fi
fi
echo "$NAME: installing Debian's $PACKAGE with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "$PACKAGE" >/dev/null; then
  exit 0
fi
echo "$NAME: apt-get could not install $PACKAGE; the tests that need it will fail" >&2
exit 1

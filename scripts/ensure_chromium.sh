#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (tests/web/).
# Installs it with apt where missing. Never fails the run: when it cannot install (no apt, no
# root, no network), it says so and the browser tests then fail loudly (they never skip).
# Playwright must never download a browser of its own: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1.
set -u

CHROMIUM="${KS_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: $CHROMIUM is missing and apt-get is not available;" \
       "the browser tests will fail" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "ensure_chromium: $CHROMIUM is missing and installing it needs root;" \
         "the browser tests will fail" >&2
    exit 0
  fi
fi
echo "ensure_chromium: installing Debian's chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null; then
  echo "ensure_chromium: $("$CHROMIUM" --version 2>/dev/null)" >&2
else
  echo "ensure_chromium: apt-get could not install chromium; the browser tests will fail" >&2
fi
exit 0

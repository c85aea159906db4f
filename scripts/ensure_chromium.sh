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
if "$(dirname "$0")/apt_install.sh" ensure_chromium chromium; then
  echo "ensure_chromium: $("$CHROMIUM" --version 2>/dev/null)" >&2
fi
exit 0

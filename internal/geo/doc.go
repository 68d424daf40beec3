// Package geo owns the boundary data shipped inside the binary (Natural
// Earth, public domain: countries worldwide, provinces of Pakistan and
// states/union territories of India keyed by ISO 3166-1 alpha-2 and
// ISO 3166-2) and the server-rendered SVG choropleth maps drawn from it.
//
// The data is converted at development time by internal/gen (see gen.sh)
// into the compact format of internal/geobin; it is decoded once, lazily.
package geo

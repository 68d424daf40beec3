// Package charts owns the server-rendered SVG charts of the public site:
// stacked columns over time, horizontal bars and stacked horizontal bars,
// each with a legend, accessible title and description, colour-blind safe
// fills (colour plus pattern), right-to-left mirroring, and a Table that
// carries the same numbers for an HTML table or CSV.
//
// Every function is pure: plain structs in, template.HTML out. Labels arrive
// already translated and are escaped here; numbers are formatted by the
// caller's Options.FormatNumber. No script, no style attribute, no request to
// another origin: the output passes a CSP of default-src 'none'.
package charts

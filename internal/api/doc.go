// Package api owns the public JSON API at /api/v1 and its OpenAPI 3.1
// document at /api/openapi.json. Both are generated from the one filter
// layer (domain.FilterParams, domain.ParseIncidentFilter), so the API takes
// the same query strings as the HTML list, exports and feeds and selects
// the same incidents. It reads only the published record through
// domain.PublicStore and domain.StatsStore. GET answers carry
// Access-Control-Allow-Origin: *; errors are {"error":{"code","message"}}
// with the status of web.ErrorStatus (the one code→status table).
package api

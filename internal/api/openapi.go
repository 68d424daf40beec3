package api

import (
	"github.com/presswatch/presswatch/internal/domain"
)

// obj is a JSON object of the OpenAPI document.
type obj = map[string]any

// Version is the version of the API described by the document.
const Version = "1.0.0"

// filterParameters turns domain.FilterParams into OpenAPI parameters: the
// same table that parses every query string describes it.
func filterParameters() []any {
	var out []any
	for _, p := range domain.FilterParams {
		var s obj
		switch p.Type {
		case "int":
			s = obj{"type": "integer"}
		case "date":
			s = obj{"type": "string", "pattern": `^\d{4}(-\d{2}(-\d{2})?)?$`}
		default:
			s = obj{"type": "string"}
		}
		if len(p.Enum) > 0 {
			enum := make([]any, len(p.Enum))
			for i, e := range p.Enum {
				enum[i] = e
			}
			s["enum"] = enum
		}
		desc := p.Description
		if p.Vocab != "" {
			desc += " Codes: GET " + Prefix + "/vocabularies, vocabulary \"" + p.Vocab + "\"."
		}
		param := obj{"name": p.Name, "in": "query", "required": false, "description": desc}
		if p.Multi {
			desc += " Repeat the parameter or separate values with commas; values are alternatives."
			param["description"] = desc
			param["schema"] = obj{"type": "array", "items": s}
			param["style"] = "form"
			param["explode"] = true
		} else {
			param["schema"] = s
		}
		out = append(out, param)
	}
	return out
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func jsonContent(schema obj) obj {
	return obj{"application/json": obj{"schema": schema}}
}

func errorResponses(codes ...string) obj {
	out := obj{}
	for _, c := range codes {
		desc := map[string]string{"400": "Invalid parameters (code invalid, with fields).", "404": "Not found (code not_found).",
			"500": "Internal error."}[c]
		out[c] = obj{"description": desc, "content": jsonContent(ref("Error"))}
	}
	return out
}

func merge(a, b obj) obj {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// OpenAPI returns the OpenAPI 3.1 document of the API.
func OpenAPI() obj {
	params := filterParameters()
	listParams := append(append([]any{}, params...),
		obj{"name": "per_page", "in": "query", "description": "Items per page, 1 to 500 (default 25).",
			"schema": obj{"type": "integer", "minimum": 1, "maximum": 500}},
		obj{"name": "sort", "in": "query", "description": "date (newest first, default), oldest, updated, or relevance (default when q is given).",
			"schema": obj{"type": "string", "enum": []any{"date", "oldest", "updated", "relevance"}}},
		obj{"name": "after", "in": "query", "description": "The next_cursor of the previous page; opaque.",
			"schema": obj{"type": "string"}},
	)
	str := obj{"type": "string"}
	integer := obj{"type": "integer"}
	strs := obj{"type": "array", "items": str}
	counts := obj{"type": "array", "items": ref("Count")}
	return obj{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": obj{
			"title":       "presswatch public data API",
			"version":     Version,
			"description": "The published record of incidents against the media. Every list endpoint takes the filters of the site's /incidents page; the same query string selects the same incidents in HTML, CSV, NDJSON, Atom, statistics and here. Any origin may read it (Access-Control-Allow-Origin: *).",
			"license":     obj{"name": "See the site's terms", "identifier": "CC-BY-4.0"},
		},
		"servers": []any{obj{"url": "/"}},
		"paths": obj{
			Prefix + "/incidents": obj{"get": obj{
				"operationId": "listIncidents",
				"summary":     "Published incidents matching the filters, newest first, with cursor paging.",
				"parameters":  listParams,
				"responses": merge(obj{"200": obj{"description": "One page of incidents and the totals of the whole match.",
					"content": jsonContent(ref("IncidentList"))}}, errorResponses("400")),
			}},
			Prefix + "/incidents/{ref}": obj{"get": obj{
				"operationId": "getIncident",
				"summary":     "One published or withdrawn incident.",
				"parameters": []any{obj{"name": "ref", "in": "path", "required": true, "description": "Reference such as PK-2024-0153.",
					"schema": obj{"type": "string", "pattern": `^[A-Z]{2}-\d{4}-\d{4,}$`}}},
				"responses": merge(obj{"200": obj{"description": "The incident.", "content": jsonContent(ref("Incident"))}},
					errorResponses("404")),
			}},
			Prefix + "/vocabularies": obj{"get": obj{
				"operationId": "listVocabularies",
				"summary":     "Codes and labels of the vocabularies and fixed lists used by filters and exports.",
				"responses": obj{"200": obj{"description": "Vocabularies by name.",
					"content": jsonContent(ref("Vocabularies"))}},
			}},
			Prefix + "/stats": obj{"get": obj{
				"operationId": "getStats",
				"summary":     "Statistics of the incidents matching the filters.",
				"parameters":  params,
				"responses": merge(obj{"200": obj{"description": "Counts.", "content": jsonContent(ref("Stats"))}},
					errorResponses("400")),
			}},
			"/api/openapi.json": obj{"get": obj{
				"operationId": "getOpenAPI",
				"summary":     "This document.",
				"responses":   obj{"200": obj{"description": "OpenAPI 3.1 document.", "content": jsonContent(obj{"type": "object"})}},
			}},
		},
		"components": obj{"schemas": obj{
			"Error": obj{"type": "object", "required": []any{"error"}, "properties": obj{
				"error": obj{"type": "object", "required": []any{"code", "message"}, "properties": obj{
					"code":    obj{"type": "string", "enum": []any{domain.EINVALID, domain.ENOTFOUND, domain.EINTERNAL, domain.EUNAVAILABLE}},
					"message": str,
					"fields":  obj{"type": "object", "additionalProperties": str},
				}},
			}},
			"Count": obj{"type": "object", "required": []any{"value", "count"}, "properties": obj{"value": str, "count": integer}},
			"Target": obj{"type": "object", "required": []any{"kind"}, "properties": obj{
				"kind": obj{"type": "string", "enum": []any{domain.TargetPerson, domain.TargetOutlet, domain.TargetAccount, domain.TargetWebsite}},
				"name": str, "name_withheld": obj{"type": "boolean"}, "gender": str, "role": str, "employment": str,
				"foreign": obj{"type": "boolean"}, "outlet": str, "url": str,
			}},
			"Actor": obj{"type": "object", "required": []any{"type", "attribution"}, "properties": obj{"type": str, "name": str, "attribution": str}},
			"Violation": obj{"type": "object", "required": []any{"category"}, "properties": obj{
				"category": str, "description": str,
				"actors":  obj{"type": "array", "items": ref("Actor")},
				"targets": obj{"type": "array", "items": ref("Target")},
				"details": obj{"type": "object"},
			}},
			"Incident": obj{"type": "object",
				"required": []any{"ref", "status", "title", "country", "verification", "violations", "first_published_at", "updated_at"},
				"properties": obj{
					"ref": str, "slug": str, "status": obj{"type": "string", "enum": []any{"published", "withdrawn"}},
					"title": str, "summary": str, "body": obj{"type": "string", "description": "Markdown."},
					"translations": obj{"type": "object", "description": "Title, summary and body per language (ur, hi).",
						"additionalProperties": obj{"type": "object"}},
					"date_start": str, "date_end": str, "date_precision": str,
					"country": str, "admin1": str, "district": str, "city": str,
					"lat": obj{"type": "number"}, "lon": obj{"type": "number"}, "location_precision": str,
					"verification": str, "work_related": str, "tags": strs, "related": strs,
					"violations":        obj{"type": "array", "items": ref("Violation")},
					"sources":           obj{"type": "array", "items": obj{"type": "object"}},
					"timeline":          obj{"type": "array", "items": obj{"type": "object"}},
					"withdrawal_reason": str, "revision": integer,
					"first_published_at": obj{"type": "string", "format": "date-time"},
					"updated_at":         obj{"type": "string", "format": "date-time"},
					"demo":               obj{"type": "boolean"},
				}},
			"IncidentList": obj{"type": "object", "required": []any{"total", "persons", "items"}, "properties": obj{
				"total":       obj{"type": "integer", "description": "Incidents matching."},
				"persons":     obj{"type": "integer", "description": "Persons targeted in them."},
				"next_cursor": obj{"type": "string", "description": "Pass as after= for the next page; absent on the last page."},
				"next":        obj{"type": "string", "description": "The URL of the next page."},
				"unranked":    obj{"type": "boolean", "description": "True when relevance was asked for (q, no sort) but the match is too large to rank: the items are newest first."},
				"items":       obj{"type": "array", "items": ref("Incident")},
			}},
			"Vocabularies": obj{"type": "object", "required": []any{"vocabularies"}, "properties": obj{
				"vocabularies": obj{"type": "object", "additionalProperties": obj{"type": "array", "items": obj{
					"type": "object", "required": []any{"code"}, "properties": obj{
						"code": str, "family": str, "labels": obj{"type": "object", "additionalProperties": str}}}}},
			}},
			"Stats": obj{"type": "object", "required": []any{"incidents", "persons", "monthly", "targets", "outlets"}, "properties": obj{
				"incidents": integer, "persons": integer, "no_month": integer,
				"monthly": obj{"type": "array", "items": obj{"type": "object", "required": []any{"month", "family", "count"},
					"properties": obj{"month": str, "family": str, "count": integer}}},
				"families": counts, "actor_types": counts, "countries": counts, "admin1": counts, "outlets": counts,
				"targets": obj{"type": "array", "items": obj{"type": "object", "required": []any{"role", "gender", "count"},
					"properties": obj{"role": str, "gender": str, "count": integer}}},
			}},
		}},
	}
}

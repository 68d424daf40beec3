package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/api"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

// MustServer starts the API over a real SQLite store seeded with n
// published incidents.
func MustServer(tb testing.TB, n int) (*httptest.Server, *store.DB, []*domain.PublicIncident) {
	tb.Helper()
	db := storetest.MustOpenSQLite(tb)
	pubs := storetest.SeedPublic(tb, db, n, 3)
	h, err := api.New(api.Options{Public: db, Stats: db, Vocab: db, Status: web.ErrorStatus})
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", h)
	ts := httptest.NewServer(mux)
	tb.Cleanup(ts.Close)
	return ts, db, pubs
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func get(tb testing.TB, ts *httptest.Server, path string) answer {
	tb.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// resolve follows a local JSON pointer ("#/components/schemas/X").
func resolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, y := range x {
			walk(y, fn)
		}
	case []any:
		for _, y := range x {
			walk(y, fn)
		}
	}
}

func loadDoc(t *testing.T, ts *httptest.Server) map[string]any {
	t.Helper()
	a := get(t, ts, "/api/openapi.json")
	if a.status != 200 {
		t.Fatalf("openapi.json: %d", a.status)
	}
	var doc map[string]any
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOpenAPIDocument checks the structure OpenAPI 3.1 requires.
func TestOpenAPIDocument(t *testing.T) {
	ts, _, _ := MustServer(t, 5)
	doc := loadDoc(t, ts)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == "" || info["title"] == nil || info["version"] == nil {
		t.Errorf("info needs title and version: %v", info)
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) < 5 {
		t.Fatalf("paths: %v", paths)
	}
	refs := 0
	walk(doc, func(m map[string]any) {
		if r, ok := m["$ref"].(string); ok {
			refs++
			if _, ok := resolve(doc, r); !ok {
				t.Errorf("$ref %s does not resolve", r)
			}
		}
	})
	if refs == 0 {
		t.Error("no $ref at all")
	}
	filterNames := map[string]bool{}
	for p, item := range paths {
		if !strings.HasPrefix(p, "/") {
			t.Errorf("path %q must start with /", p)
		}
		for method, op := range item.(map[string]any) {
			o := op.(map[string]any)
			if o["operationId"] == nil {
				t.Errorf("%s %s: no operationId", method, p)
			}
			resp, _ := o["responses"].(map[string]any)
			if len(resp) == 0 {
				t.Errorf("%s %s: no responses", method, p)
			}
			for code, r := range resp {
				if r.(map[string]any)["description"] == nil {
					t.Errorf("%s %s %s: response without description", method, p, code)
				}
			}
			params, _ := o["parameters"].([]any)
			for _, x := range params {
				pm := x.(map[string]any)
				if pm["schema"] == nil || pm["name"] == nil || pm["in"] == nil {
					t.Errorf("%s %s: parameter %v lacks name, in or schema", method, p, pm["name"])
				}
				if pm["in"] == "path" && pm["required"] != true {
					t.Errorf("%s %s: path parameter %v must be required", method, p, pm["name"])
				}
				if pm["in"] == "path" && !strings.Contains(p, "{"+pm["name"].(string)+"}") {
					t.Errorf("%s %s: path parameter %v not in the path", method, p, pm["name"])
				}
				if p == api.Prefix+"/incidents" {
					filterNames[pm["name"].(string)] = true
				}
			}
		}
	}
	for _, fp := range domain.FilterParams {
		if !filterNames[fp.Name] {
			t.Errorf("filter %s is not documented on the incidents list", fp.Name)
		}
	}
}

// TestDocumentedPaths calls every documented path and checks the status,
// the content type, the CORS header and the required properties of the
// documented schema; then the documented error answers.
func TestDocumentedPaths(t *testing.T) {
	ts, _, pubs := MustServer(t, 40)
	doc := loadDoc(t, ts)
	paths := doc["paths"].(map[string]any)
	for p, item := range paths {
		op := item.(map[string]any)["get"].(map[string]any)
		url := strings.ReplaceAll(p, "{ref}", pubs[0].Ref)
		t.Run(p, func(t *testing.T) {
			a := get(t, ts, url)
			if a.status != 200 {
				t.Fatalf("%s: %d %s", url, a.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			if a.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Error("GET must allow any origin")
			}
			schema := op["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
			checkRequired(t, doc, schema, a.body)
		})
	}
	errs := []struct{ path, code string }{
		{api.Prefix + "/incidents?from=soon", "400"},
		{api.Prefix + "/incidents?after=not-a-cursor", "400"},
		{api.Prefix + "/stats?year=99", "400"},
		{api.Prefix + "/incidents/ZZ-2024-9999", "404"},
		{api.Prefix + "/incidents/not-a-ref", "404"},
		{api.Prefix + "/nothing", "404"},
	}
	for _, e := range errs {
		a := get(t, ts, e.path)
		if want := map[string]int{"400": 400, "404": 404}[e.code]; a.status != want {
			t.Errorf("%s: %d, want %d", e.path, a.status, want)
		}
		var body api.ErrorBody
		if err := json.Unmarshal(a.body, &body); err != nil || body.Error.Code == "" || body.Error.Message == "" {
			t.Errorf("%s: error body %s", e.path, a.body)
		}
		if a.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: GET errors must be readable from any origin", e.path)
		}
	}
	// Only GET is served, and only GET is cross-origin.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+api.Prefix+"/incidents", nil)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("POST: %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func checkRequired(t *testing.T, doc map[string]any, schema map[string]any, body []byte) {
	t.Helper()
	if r, ok := schema["$ref"].(string); ok {
		s, _ := resolve(doc, r)
		schema = s.(map[string]any)
	}
	req, _ := schema["required"].([]any)
	if len(req) == 0 {
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not an object: %v", err)
	}
	for _, k := range req {
		if _, ok := m[k.(string)]; !ok {
			t.Errorf("required property %v missing", k)
		}
	}
}

// TestCursorPaging follows next links to the end and gets exactly the
// filter's incidents, in order, without repeats.
func TestCursorPaging(t *testing.T) {
	ts, db, _ := MustServer(t, 130)
	for _, q := range []string{"", "country=PK", "sort=oldest", "sort=updated", "q=journalist", "country=ZZ"} {
		t.Run(q, func(t *testing.T) {
			f, err := domain.ParseIncidentFilter(mustQuery(q))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if err := db.EachPublic(context.Background(), f, func(p *domain.PublicIncident) error {
				want = append(want, p.Ref)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var got []string
			next := api.Prefix + "/incidents?per_page=9"
			if q != "" {
				next += "&" + q
			}
			for i := 0; next != "" && i < 100; i++ {
				a := get(t, ts, next)
				if a.status != 200 {
					t.Fatalf("%s: %d %s", next, a.status, a.body)
				}
				var page api.IncidentList
				if err := json.Unmarshal(a.body, &page); err != nil {
					t.Fatal(err)
				}
				if page.Total != len(want) {
					t.Fatalf("total %d, want %d", page.Total, len(want))
				}
				for _, it := range page.Items {
					got = append(got, it.Ref)
				}
				next = page.Next
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged %d refs, want %d (%v vs %v)", len(got), len(want), head(got), head(want))
			}
		})
	}
}

func head(s []string) []string { return s[:min(5, len(s))] }

func mustQuery(q string) map[string][]string {
	v := map[string][]string{}
	for _, kv := range strings.Split(q, "&") {
		if k, val, ok := strings.Cut(kv, "="); ok {
			v[k] = append(v[k], val)
		}
	}
	return v
}

package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// exportDecodeCases are documents the fast decoder must read exactly as
// encoding/json does: generated records plus the awkward corners.
func exportDecodeCases() []*domain.PublicIncident {
	lat, lon := 31.5204, -74.35870000000001
	big := 1e21
	t0 := time.Date(2024, 2, 29, 23, 59, 59, 123456000, time.FixedZone("PKT", 5*3600))
	out := []*domain.PublicIncident{
		{},
		{Ref: "PK-2024-0001", Status: "published", Title: `=cmd|' /C calc'!A0 "quoted", <b>&amp;</b> \ back\slash`,
			Summary: "line\nbreak\ttab", Body: "{\"not\":[\"parsed\"]}", DateStart: "2024-02", DatePrecision: "month",
			Country: "PK", Admin1: "PK-PB", District: "+Lahore", City: "@Lahore", Lat: &lat, Lon: &lon,
			LocationPrecision: "city", Verification: "confirmed", WorkRelated: "unconfirmed",
			Tags: []string{"elections", "elections", "راولپنڈی"}, Related: []string{"PK-2023-0001"},
			Translations: map[string]domain.Translation{"ur": {Title: "صحافی \"گرفتار\"", Summary: "\u2028\u2029"},
				"hi": {Title: "पत्रकार"}},
			Violations: []domain.Violation{
				{Category: "website_blocked", Description: "x", Details: domain.ViolationDetails{ISPs: []string{"PTCL"}, Domain: "example.org",
					DetentionStatus: []domain.StatusChange{{}}},
					Actors: []domain.Actor{{Type: "regulator", Name: "PTA", Attribution: "confirmed"}, {Type: "regulator", Attribution: "alleged"}},
					Targets: []domain.Target{{Kind: "website", Name: "Example", URL: "https://example.org/?a=1&b=<2>"},
						{Kind: "person", Name: "Ayesha \u00e9 Malik", Gender: "woman", Role: "reporter", Employment: "freelance", Foreign: true, Outlet: "Dawn, Lahore"},
						{Kind: "person", NameWithheld: true, Gender: "man", Role: "editor"},
						{Kind: "person", Name: "ayesha é malik", Role: "reporter"}}},
				{Category: ""},
				{Category: "threat", Targets: []domain.Target{{Kind: "account", Name: "@handle", URL: "https://x.example/handle"}}},
			},
			Sources:          []domain.Source{{Kind: "article", URL: "https://news.example/a\u00e9", Publisher: "News"}, {Kind: "x"}, {Kind: "y", URL: "https://news.example/a\u00e9"}},
			Timeline:         []domain.Update{{Date: "2024-03-01", Text: "released"}},
			Revision:         12,
			FirstPublishedAt: t0, UpdatedAt: t0.Add(time.Hour), Demo: true},
		{Ref: "IN-2020-0002", Status: "withdrawn", WithdrawalReason: "duplicate", Lat: &big, Lon: new(float64), DatePrecision: "unknown"},
		{Ref: "BD-2019-0003", Title: string([]byte{'b', 'a', 'd', 0xff, 'u', 't', 'f'}), Violations: []domain.Violation{{Category: "killing", Targets: []domain.Target{}}}},
	}
	return append(out, storetest.GeneratePublic(300, 9)...)
}

// slowRows prints the CSV rows of every shape from a fully decoded record.
func slowRows(t testing.TB, doc []byte) [][]string {
	t.Helper()
	var p domain.PublicIncident
	if err := json.Unmarshal(doc, &p); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return rowsOf(t, &p)
}

func rowsOf(t testing.TB, p *domain.PublicIncident) [][]string {
	t.Helper()
	x := exportRows{vocab: domain.VocabSet{}, base: "https://pw.example", snapshot: "S", row: &incidentRow{}}
	var out [][]string
	for _, shape := range []string{ShapeIncidents, ShapeViolations, ShapeTargets} {
		if err := x.csv(shape, p, func(rec []string) error {
			out = append(out, append([]string{shape}, rec...))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestExportDecoderMatchesEncodingJSON(t *testing.T) {
	var dec exportDecoder
	p := &domain.PublicIncident{}
	for i, inc := range exportDecodeCases() {
		doc, err := json.Marshal(inc)
		if err != nil {
			t.Fatal(err)
		}
		var indented bytes.Buffer
		json.Indent(&indented, doc, " ", "  ") // PostgreSQL's jsonb text has spaces
		for _, d := range [][]byte{doc, indented.Bytes()} {
			if err := dec.decode(d, p); err != nil {
				t.Fatalf("case %d: fast decode: %v\n%s", i, err, d)
			}
			if got, want := rowsOf(t, p), slowRows(t, d); !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d:\n got %q\nwant %q", i, got, want)
			}
		}
	}
}

// TestExportDecoderRefuses: what the fast path does not know, it leaves to
// encoding/json (eachExport falls back) instead of guessing.
func TestExportDecoderRefuses(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"ref":1}`, `{"ref":"a"`, `{"re\u0066":"a"}`, `{"violations":{}}`, `{"demo":"true"}`, `{} x`, "{\"title\":\"a\x01\"}"} {
		var dec exportDecoder
		if err := dec.decode([]byte(doc), &domain.PublicIncident{}); err == nil {
			t.Errorf("%q: decoded", doc)
		}
	}
}

// FuzzExportDecode: on any document json.Marshal writes, the fast decoder
// prints the same CSV rows as encoding/json; on any input at all it does
// not panic.
func FuzzExportDecode(f *testing.F) {
	for _, inc := range exportDecodeCases()[:6] {
		doc, _ := json.Marshal(inc)
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var dec exportDecoder
		dec.decode(in, &domain.PublicIncident{})
		var p domain.PublicIncident
		if json.Unmarshal(in, &p) != nil {
			return
		}
		doc, err := json.Marshal(&p)
		if err != nil {
			return
		}
		q := &domain.PublicIncident{}
		if err := dec.decode(doc, q); err != nil {
			t.Fatalf("fast decode of a marshalled record: %v\n%s", err, doc)
		}
		if got, want := rowsOf(t, q), slowRows(t, doc); !reflect.DeepEqual(got, want) {
			t.Fatalf("\n got %q\nwant %q", got, want)
		}
	})
}

func TestNDJSONDocLine(t *testing.T) {
	x := exportRows{base: "https://pw.example"}
	for i, inc := range exportDecodeCases()[:5] {
		doc, _ := json.Marshal(inc)
		var b bytes.Buffer
		bw := newTestBufio(&b)
		if err := x.ndjsonDoc(doc, bw); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		var p domain.PublicIncident
		json.Unmarshal(doc, &p)
		enc.Encode(ndjsonIncident{URL: x.url(&p), PublicIncident: &p})
		var got, exp any
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("case %d: %v: %s", i, err, b.Bytes())
		}
		json.Unmarshal(want.Bytes(), &exp)
		if !reflect.DeepEqual(got, exp) || bytes.Count(b.Bytes(), []byte("\n")) != 1 {
			t.Fatalf("case %d:\n got %s\nwant %s", i, b.Bytes(), want.Bytes())
		}
	}
}

func newTestBufio(b *bytes.Buffer) *bufio.Writer { return bufio.NewWriter(b) }

package store

import (
	"reflect"
	"slices"
	"testing"
)

// statsOf runs statsCodes over one document and returns the month state
// and the codes' dict keys (targets as role/gender, outlets as names).
func statsOf(doc string, dated bool) (month uint8, targets [][2]string, outlets []string, noStats bool) {
	b := &indexBuilder{dict: &pubDict{codes: map[string]uint16{}}, sdict: &pubDict{codes: map[string]uint16{}}}
	n, month := b.statsCodes([]byte(doc), dated)
	for _, c := range b.terms[:n] {
		nv := b.sdict.names[c]
		switch nv[0] {
		case "target":
			role, gender, _ := parseTargetValue(nv[1])
			targets = append(targets, [2]string{role, gender})
		case "outlet":
			outlets = append(outlets, nv[1])
		}
	}
	return month, targets, outlets, b.noStats
}

func TestStatsCodesFromDocument(t *testing.T) {
	for _, tc := range []struct {
		name    string
		doc     string
		dated   bool
		month   uint8
		targets [][2]string
		outlets []string
		noStats bool
	}{
		{name: "day", doc: `{"date_precision":"day","violations":[]}`, dated: true, month: monthKnown},
		{name: "month", doc: `{"date_precision":"month"}`, dated: true, month: monthKnown},
		{name: "year", doc: `{"date_precision":"year"}`, dated: true, month: monthNone},
		{name: "undated", doc: `{"date_precision":"day"}`, month: monthNone},
		{name: "no precision", doc: `{"title":"x"}`, dated: true, month: monthNeither},
		{name: "null precision", doc: `{"date_precision":null}`, dated: true, month: monthNeither},
		{name: "null precision undated", doc: `{"date_precision":null}`, month: monthNone},
		{name: "number precision", doc: `{"date_precision":3}`, dated: true, month: monthNone},
		{
			name: "targets", dated: true, month: monthKnown,
			doc: `{"title":"a \"b\" {c} [d]","date_precision":"day","violations":[{"category":"x","actors":[{"type":"police"}],` +
				`"targets":[{"kind":"person","name":"A","role":"editor","gender":"woman","outlet":"Dawn"},` +
				`{"kind":"person","outlet":"Dawn"},{"kind":"website","name":"Dawn","url":"https://x/"},{"kind":"outlet","name":"Geo"},` +
				`{"kind":"other","name":"Nope","outlet":"Nope"}]},{"targets":[{"kind":"person","role":"editor","gender":"woman"}]},{"targets":null}],"n":[1,2.5e3,true,false,null,{}]}`,
			targets: [][2]string{{"editor", "woman"}, {"", ""}, {"editor", "woman"}},
			outlets: []string{"Dawn", "Geo"},
		},
		{
			// PostgreSQL's jsonb text: spaces, members in its own order.
			name: "jsonb text", dated: true, month: monthKnown,
			doc:     `{"violations": [{"targets": [{"kind": "person", "role": "reporter", "outlet": "روزنامہ \u0022x\u0022"}]}], "date_precision": "month"}`,
			targets: [][2]string{{"reporter", ""}},
			outlets: []string{`روزنامہ "x"`},
		},
		{name: "escaped outlet", doc: `{"violations":[{"targets":[{"kind":"outlet","name":"a\u001fb=c\\d"}]}]}`, outlets: []string{"a\x1fb=c\\d"}},
		{name: "number role", doc: `{"violations":[{"targets":[{"kind":"person","role":5}]}]}`, noStats: true},
		{name: "truncated", doc: `{"violations":[{"targets":[{"kind":"person"`, noStats: true},
		{name: "not an object", doc: `[1]`, noStats: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			month, targets, outlets, noStats := statsOf(tc.doc, tc.dated)
			if noStats != tc.noStats {
				t.Fatalf("noStats = %v, want %v", noStats, tc.noStats)
			}
			if noStats {
				return
			}
			if month != tc.month || !reflect.DeepEqual(targets, tc.targets) || !slices.Equal(outlets, tc.outlets) {
				t.Errorf("got month %d, targets %q, outlets %q; want %d, %q, %q", month, targets, outlets, tc.month, tc.targets, tc.outlets)
			}
		})
	}
}

func TestTargetKeyRoundTrip(t *testing.T) {
	for _, rg := range [][2]string{{"", ""}, {"editor", "woman"}, {"a:b", "c"}, {"12", ":3"}, {"", "x"}} {
		key := string(targetKey(nil, rg[0], rg[1]))
		value := key[len("target="):]
		role, gender, ok := parseTargetValue(value)
		if !ok || role != rg[0] || gender != rg[1] {
			t.Errorf("%q: %q %q %v", rg, role, gender, ok)
		}
	}
}

// FuzzStatsCodes: any bytes as a document never panic, and a document the
// walk accepts gives codes that fit the row.
func FuzzStatsCodes(f *testing.F) {
	f.Add(`{"date_precision":"day","violations":[{"targets":[{"kind":"person","role":"editor","outlet":"D\u00e1wn"}]}]}`)
	f.Add(`{"violations": [{"targets": [{"kind": "website", "name": "x"}]}], "date_precision": null}`)
	f.Add(`{"a":[{"b":"\\"},{}],"violations":[]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		b := &indexBuilder{dict: &pubDict{codes: map[string]uint16{}}, sdict: &pubDict{codes: map[string]uint16{}}}
		n, month := b.statsCodes([]byte(doc), true)
		if int(n) != len(b.terms) || month > monthNeither || b.noStats && n != 0 {
			t.Fatalf("%q: n %d, %d terms, month %d, noStats %v", doc, n, len(b.terms), month, b.noStats)
		}
	})
}

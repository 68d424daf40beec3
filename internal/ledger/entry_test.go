package ledger

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestEntryCanonical(t *testing.T) {
	at := time.Date(2024, 3, 1, 12, 30, 15, 999, time.FixedZone("PKT", 5*3600))
	tests := []struct {
		name  string
		entry Entry
		want  string
	}{
		{"minimal", Entry{Kind: KindWithdrawal, Ref: "PK-2024-0153", Time: at},
			`{"kind":"withdrawal","ref":"PK-2024-0153","time":"2024-03-01T07:30:15Z"}`},
		{"sorted keys, no whitespace, no HTML escaping", Entry{Kind: KindIncidentRevision, Ref: "PK-1", Time: at,
			SHA256: strings.Repeat("ab", 32),
			Data:   json.RawMessage(`{ "z": [1, 2.50, {"b":true,"a":null}], "a": "<b>&</b>" }`)},
			`{"data":{"a":"<b>&</b>","z":[1,2.50,{"a":null,"b":true}]},"kind":"incident_revision","ref":"PK-1","sha256":"` + strings.Repeat("ab", 32) + `","time":"2024-03-01T07:30:15Z"}`},
		{"JCS string escapes", Entry{Kind: KindDetection, Ref: "d-1", Time: at, Data: json.RawMessage(`{"t":"a\"b\\c\n\u0001\u2028\/"}`)},
			`{"data":{"t":"a\"b\\c\n\u0001` + "\u2028" + `/"},"kind":"detection","ref":"d-1","time":"2024-03-01T07:30:15Z"}`},
		{"unicode kept as UTF-8", Entry{Kind: KindStoryRevision, Ref: "s-1", Time: at, Data: json.RawMessage(`{"title":"صحافت \u0939\u093f"}`)},
			`{"data":{"title":"صحافت हि"},"kind":"story_revision","ref":"s-1","time":"2024-03-01T07:30:15Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.entry.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("Canonical() =\n%s\nwant\n%s", got, tt.want)
			}
			e, err := ParseEntry(got)
			if err != nil {
				t.Fatalf("ParseEntry(canonical): %v", err)
			}
			again, _ := e.Canonical()
			if string(again) != tt.want {
				t.Fatalf("round trip = %s", again)
			}
		})
	}
}

func TestEntryInvalid(t *testing.T) {
	at := time.Unix(1, 0)
	tests := []struct {
		name  string
		entry Entry
	}{
		{"unknown kind", Entry{Kind: "rumour", Ref: "x", Time: at}},
		{"no ref", Entry{Kind: KindCapture, Time: at}},
		{"no time", Entry{Kind: KindCapture, Ref: "x"}},
		{"bad hash", Entry{Kind: KindCapture, Ref: "x", Time: at, SHA256: "ABC"}},
		{"data not object", Entry{Kind: KindCapture, Ref: "x", Time: at, Data: json.RawMessage(`[1]`)}},
		{"data trailing", Entry{Kind: KindCapture, Ref: "x", Time: at, Data: json.RawMessage(`{} {}`)}},
		{"too large", Entry{Kind: KindCapture, Ref: "x", Time: at, Data: json.RawMessage(`{"a":"` + strings.Repeat("a", MaxEntrySize) + `"}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.entry.Canonical(); err == nil {
				t.Fatal("Canonical() succeeded, want error")
			}
		})
	}
}

func TestParseEntryRejectsNonCanonical(t *testing.T) {
	for _, s := range []string{
		`{"ref":"x","kind":"capture","time":"2024-01-01T00:00:00Z"}`,
		`{"kind":"capture", "ref":"x","time":"2024-01-01T00:00:00Z"}`,
		`{"kind":"capture","ref":"x","time":"2024-01-01T05:00:00+05:00"}`,
		`{"kind":"capture","kind":"capture","ref":"x","time":"2024-01-01T00:00:00Z"}`,
		`{"data":{"a":"\u003c"},"kind":"capture","ref":"x","time":"2024-01-01T00:00:00Z"}`,
	} {
		if _, err := ParseEntry([]byte(s)); err == nil {
			t.Errorf("ParseEntry(%s) succeeded, want non-canonical error", s)
		}
	}
}

func TestEntryMentions(t *testing.T) {
	e := testEntry(3)
	tests := []struct {
		ref  string
		want bool
	}{{"cap-3", true}, {"PK-2024-0003", true}, {"PK-2024-0004", false}}
	for _, tt := range tests {
		if got := e.Mentions(tt.ref); got != tt.want {
			t.Errorf("Mentions(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
	m := Entry{Kind: KindCapture, Ref: "c", Time: time.Unix(1, 0), Data: json.RawMessage(`{"incidents":["A","B"]}`)}
	if !m.Mentions("B") || m.Mentions("C") {
		t.Error("Mentions with incidents list is wrong")
	}
}

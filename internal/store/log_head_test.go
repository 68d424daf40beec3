package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/ledger"
)

// TestEntryHead checks the fast kind/ref reader against encoding/json.
func TestEntryHead(t *testing.T) {
	canon := func(e ledger.Entry) string {
		b, err := e.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	at := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct{ name, entry string }{
		{"no data", canon(ledger.Entry{Kind: "capture", Ref: "capture-1", Time: at})},
		{"data", canon(ledger.Entry{Kind: "incident_revision", Ref: "PK-2024-0001", Time: at,
			Data: json.RawMessage(`{"kind":"fake","ref":"fake","nested":{"a":[1,{"b":"}"}]},"q":"\"}"}`)})},
		{"escaped ref", canon(ledger.Entry{Kind: "measurement", Ref: `m"1\x`, Time: at})},
		{"unicode ref", canon(ledger.Entry{Kind: "measurement", Ref: "اردو-१", Time: at})},
		{"not canonical", `{"ref":"r","kind":"k"}`},
		{"garbage", `{"data":{"a":`},
		{"empty", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want struct{ Kind, Ref string }
			json.Unmarshal([]byte(tc.entry), &want)
			kind, ref := entryHead([]byte(tc.entry))
			if kind != want.Kind || ref != want.Ref {
				t.Fatalf("entryHead(%s) = %q, %q; want %q, %q", tc.entry, kind, ref, want.Kind, want.Ref)
			}
		})
	}
}

package store

import (
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := []cursor{
		{Sort: "date", Key: "2024-03-15", ID: 12},
		{Sort: "oldest", Key: "", ID: 1},
		{Sort: "updated", Key: "2025-03-01T09:00:00.000001Z", ID: 7},
		{Sort: "relevance", Offset: 50},
	}
	for _, c := range tests {
		got, err := decodeCursor(c.encode(), c.Sort)
		if err != nil || got != c {
			t.Errorf("round trip %+v = %+v, %v", c, got, err)
		}
		if _, err := decodeCursor(c.encode(), "other"); !domain.IsCode(err, domain.EINVALID) {
			t.Errorf("cursor of %s accepted for another order", c.Sort)
		}
	}
}

// FuzzCursor: any string is either a valid cursor or EINVALID, never a panic.
func FuzzCursor(f *testing.F) {
	f.Add("eyJzIjoiZGF0ZSIsImsiOiIyMDI0LTAzLTE1IiwiaSI6MTJ9", "date")
	f.Add("", "relevance")
	f.Add("eyJzIjoidXBkYXRlZCIsImsiOiJ4In0", "updated")
	f.Fuzz(func(t *testing.T, s, sort string) {
		c, err := decodeCursor(s, sort)
		if err != nil {
			if !domain.IsCode(err, domain.EINVALID) {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if c.Sort != sort || c.Offset < 0 || c.ID < 0 {
			t.Fatalf("accepted bad cursor %+v", c)
		}
	})
}

func TestMarkHighlights(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a " + markOpen + "b" + markClose + " <i>c</i>", "a <mark>b</mark> &lt;i&gt;c&lt;/i&gt;"},
		{markOpen + "open", "<mark>open</mark>"},
		{"&\"'", "&amp;&#34;&#39;"},
	}
	for _, tc := range tests {
		if got := markHighlights(tc.in); got != tc.want {
			t.Errorf("markHighlights(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRebind(t *testing.T) {
	pg := Dialect{Engine: EnginePostgres}
	if got := pg.Rebind("a = ? AND b IN (?, ?)"); got != "a = $1 AND b IN ($2, $3)" {
		t.Errorf("Rebind = %q", got)
	}
	sq := Dialect{Engine: EngineSQLite}
	if got := sq.Rebind("a = ?"); got != "a = ?" {
		t.Errorf("SQLite Rebind = %q", got)
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Reporter arrested in Lahore", "reporter-arrested-in-lahore"},
		{"  Café — Ünïcode!  ", "cafe-unicode"},
		{"صحافی گرفتار", "pk-2024-0001"},
		{"पत्रकार 2024", "2024"},
	}
	for _, tc := range tests {
		if got := Slugify(tc.title, "PK-2024-0001"); got != tc.want {
			t.Errorf("Slugify(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
	if got := Slugify(string(make([]byte, 0))+"word "+string([]rune{'x'})+" "+repeat("long", 40), "R"); len(got) > 80 {
		t.Errorf("slug longer than 80: %d", len(got))
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s + " "
	}
	return out
}

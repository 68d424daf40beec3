package mirror

import (
	"math/rand/v2"
	"net/url"
	"path"
	"strings"
	"testing"
)

// relativeBySplit is relative as it was first written: the reference.
func relativeBySplit(fromFile, toFile string) string {
	fromDir := path.Dir(fromFile)
	if fromDir == "." {
		return toFile
	}
	from := strings.Split(fromDir, "/")
	to := strings.Split(toFile, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	var b strings.Builder
	for j := i; j < len(from); j++ {
		b.WriteString("../")
	}
	b.WriteString(strings.Join(to[i:], "/"))
	return b.String()
}

// TestRelative: relative and escapePath give what splitting the paths
// gives, for the mirror's own layouts and for random paths of shared
// segments (empty ones and a trailing slash included).
func TestRelative(t *testing.T) {
	cases := [][2]string{
		{"index.html", "incidents/index.html"},
		{"incidents/PK-2024-0001/index.html", "incidents/index.html"},
		{"incidents/PK-2024-0001/index.html", "incidents/PK-2024-0002/index.html"},
		{"incidents/PK-2024-0001/index.html", "incidents/PK-2024-0001.json"},
		{"ur/incidents/country/PK/page/2/index.html", "ur/incidents/country/PK/page/3/index.html"},
		{"ur/incidents/country/PK/page/2/index.html", "incidents.csv"},
		{"a/b/index.html", "a/b"},
		{"a/b/index.html", "a/b/"},
		{"a//b/index.html", "a//c.html"},
		{"a/b/index.html", ""},
	}
	segs := []string{"a", "b", "incidents", "", "ur", "x y", "~7e", "é"}
	rng := rand.New(rand.NewPCG(1, 2))
	randPath := func() string {
		n := 1 + rng.IntN(5)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = segs[rng.IntN(len(segs))]
		}
		return strings.Join(parts, "/")
	}
	for range 20000 {
		cases = append(cases, [2]string{randPath(), randPath()})
	}
	for _, c := range cases {
		if got, want := relative(c[0], c[1]), relativeBySplit(c[0], c[1]); got != want {
			t.Fatalf("relative(%q, %q) = %q, want %q", c[0], c[1], got, want)
		}
		parts := strings.Split(c[1], "/")
		for i, s := range parts {
			parts[i] = url.PathEscape(s)
		}
		if got, want := escapePath(c[1]), strings.Join(parts, "/"); got != want {
			t.Fatalf("escapePath(%q) = %q, want %q", c[1], got, want)
		}
	}
}

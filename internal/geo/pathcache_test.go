package geo

import "testing"

// TestShapeCacheSameBytes: a map drawn from cached paths is byte for byte
// the map drawn from scratch, and a cached width is never reused for
// another.
func TestShapeCacheSameBytes(t *testing.T) {
	values := map[string]int{"PK": 40, "IN": 12, "BD": 3}
	o := MapOptions{Title: "t", Lang: "en", Href: func(c string) string { return "/incidents?country=" + c }}
	for _, width := range []int{800, 400} {
		o.Width = width
		shapeCache.mu.Lock()
		shapeCache.m = nil
		shapeCache.mu.Unlock()
		cold := CountryMap(values, o)
		warm := CountryMap(values, o)
		if cold != warm {
			t.Fatalf("width %d: the cached world map differs from the one drawn from scratch", width)
		}
		rc, err := RegionMap("PK", map[string]int{"PK-PB": 5}, o)
		if err != nil {
			t.Fatal(err)
		}
		rw, _ := RegionMap("PK", map[string]int{"PK-PB": 5}, o)
		if rc != rw {
			t.Fatalf("width %d: the cached region map differs", width)
		}
	}
	o.Width = 800
	a := CountryMap(values, o)
	o.Width = 400
	if b := CountryMap(values, o); a == b {
		t.Fatal("maps of two widths are the same: the cache mixed them up")
	}
}

package web

import (
	"net/url"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

// FuzzStoryFilter: any query string gives a filter or an EINVALID error,
// never a panic, and an accepted filter re-encodes to the same filter.
func FuzzStoryFilter(f *testing.F) {
	for _, s := range []string{"", "kind=testimony&topic=threats", "q=%D8%B5%D8%AD%D8%A7%D9%81%DB%8C&language=ur", "page=0", "country=pkk", "per_page=1000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		sf, err := parseStoryFilter(q)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error code %s", domain.ErrorCode(err))
			}
			return
		}
		again, err := parseStoryFilter(storyValues(sf))
		if err != nil || again.Kind != sf.Kind || again.Topic != sf.Topic || again.Country != sf.Country || again.Q != sf.Q {
			t.Fatalf("round trip: %+v -> %+v (%v)", sf, again, err)
		}
	})
}

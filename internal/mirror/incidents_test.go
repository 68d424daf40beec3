package mirror_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/web"
)

// TestIncidentPagesMatchHandler: the incident pages a full build renders
// from one stream are byte for byte the handler's answers for the same
// URLs, in every language, log index included (one incident published
// after the last signature has none yet).
func TestIncidentPagesMatchHandler(t *testing.T) {
	in := MustInstance(t, 12)
	in.MustPublish("Published and signed")
	srv := in.handler.(*web.Server)
	ctx := context.Background()
	get := func(path string) []byte {
		t.Helper()
		rec := httptest.NewRecorder()
		in.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return rec.Body.Bytes()
	}
	n, withLog := 0, 0
	var buf bytes.Buffer
	err := srv.EachListedIncident(ctx, func(p *domain.PublicIncident) error {
		n++
		if p.LogIndex != nil {
			withLog++
		}
		for _, loc := range srv.Locales() {
			path := srv.LocalePath(loc, "/incidents/"+p.Ref)
			buf.Reset()
			if err := srv.IncidentPage(ctx, &buf, loc, p); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if want := get(path); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s: IncidentPage differs from the handler's page (%d vs %d bytes)", path, buf.Len(), len(want))
			}
		}
		js, err := srv.IncidentJSON(p)
		if err != nil {
			t.Fatal(err)
		}
		if want := get("/incidents/" + p.Ref + ".json"); !bytes.Equal(js, want) {
			t.Errorf("%s.json differs from the handler's", p.Ref)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 13 || withLog == 0 || len(srv.Locales()) < 3 {
		t.Fatalf("compared %d incidents (%d with a log index) in %d locales", n, withLog, len(srv.Locales()))
	}
}

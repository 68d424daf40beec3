package cli

import (
	"net/http"

	"github.com/presswatch/presswatch/internal/api"
	"github.com/presswatch/presswatch/internal/geo"
	"github.com/presswatch/presswatch/internal/web"
)

// wirePublicData gives serve its public data parts: country names in every
// language (geo.Names), the statistics store for /stats and /map, and the
// JSON API mounted at /api/.
func wirePublicData(s *Server, o *web.Options) error {
	o.CountryName = geo.Names
	o.Stats = s.DB
	h, err := api.New(api.Options{Public: s.DB, Stats: s.DB, Vocab: s.DB, Status: web.ErrorStatus, Logger: s.Logger})
	if err != nil {
		return err
	}
	if o.Mounts == nil {
		o.Mounts = map[string]http.Handler{}
	}
	o.Mounts["/api/"] = h
	return nil
}

package web

import (
	"github.com/presswatch/presswatch/internal/domain"
)

// incidentRow builds rows of the incidents shape (exportColumns without
// snapshot_at) from a decoded incident, reusing its buffers from row to row
// (a streamed export builds a million of them): the returned slice is only
// valid until the next build. The cells between url and snapshot_at are
// domain.IncidentCSV's, the same the store keeps built at publish time.
type incidentRow struct {
	cells domain.IncidentCSV
	rec   []string
}

func (b *incidentRow) build(p *domain.PublicIncident, vocab domain.VocabSet, base string) []string {
	b.rec = append(b.rec[:0], p.Ref, base+"/incidents/"+p.Ref)
	b.rec = append(b.rec, b.cells.Cells(p, vocab.Family)...)
	return b.rec
}

// csvText keeps free text from being read as a formula by spreadsheets.
func csvText(s string) string { return domain.CSVText(s) }

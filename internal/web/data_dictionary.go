package web

import (
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// DataView is /data: the data dictionary, generated from the filter table
// (domain.FilterParams), the export columns and the vocabularies, so it
// cannot drift from what the pages, exports and API do.
type DataView struct {
	Page
	Params    []DataParam
	Shapes    []DataShape
	Vocabs    []DataVocab
	Delimiter string
}

// DataParam is one filter parameter.
type DataParam struct {
	Name, Type, Description, Values string
	Multi                           bool
}

// DataShape is the column list of one export shape.
type DataShape struct {
	Name    string
	Columns []ExportColumn
}

// DataVocab is one vocabulary or fixed list with its codes and labels.
type DataVocab struct {
	ID    string
	Name  string
	Terms []DataTerm
}

// DataTerm is one code with its label in the page language and English.
type DataTerm struct {
	Code, Label, English, Family string
}

// dataEnums are the fixed lists documented next to the vocabularies.
var dataEnums = []struct {
	name   string
	values []string
}{
	{"family", domain.CategoryFamilies},
	{"verification", domain.Verifications},
	{"work_related", []string{domain.WorkRelatedConfirmed, "unconfirmed", "not_related"}},
	{"target_kind", domain.TargetKinds},
}

func (s *Server) handleData(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := s.cat.localizer(localeOf(r))
	en := s.cat.localizer("en")
	_, terms, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := DataView{Page: s.page(r, l.T("data.title")), Delimiter: MultiValueDelimiter}
	for _, p := range domain.FilterParams {
		dp := DataParam{Name: p.Name, Type: p.Type, Multi: p.Multi, Description: p.Description}
		if p.Vocab != "" {
			dp.Values = "#vocab-" + p.Vocab
		} else if len(p.Enum) > 0 {
			dp.Values = "#vocab-" + p.Name
		}
		v.Params = append(v.Params, dp)
	}
	for _, extra := range []DataParam{
		{Name: "page", Type: "int", Description: "Page number, from 1 (HTML, JSON, Atom)."},
		{Name: "per_page", Type: "int", Description: "Items per page, 1–500 (default 25; Atom 50)."},
		{Name: "sort", Type: "code", Description: "date (newest first, default), oldest, updated, relevance (default with q)."},
		{Name: "after", Type: "text", Description: "Opaque cursor of the API's next page."},
		{Name: "shape", Type: "code", Description: "CSV and NDJSON: incidents (default), violations or targets."},
	} {
		v.Params = append(v.Params, extra)
	}
	for _, sh := range []string{ShapeIncidents, ShapeViolations, ShapeTargets} {
		v.Shapes = append(v.Shapes, DataShape{Name: sh, Columns: ExportColumns(sh)})
	}
	for _, vocab := range []string{domain.VocabCategory, domain.VocabActorType, domain.VocabTargetRole, domain.VocabGender} {
		dv := DataVocab{ID: "vocab-" + vocab, Name: vocab}
		for _, t := range terms {
			if t.Vocab == vocab && t.Active {
				dv.Terms = append(dv.Terms, DataTerm{Code: t.Code, Label: t.Label(l.Locale), English: t.Label("en"), Family: t.Family})
			}
		}
		v.Vocabs = append(v.Vocabs, dv)
	}
	for _, e := range dataEnums {
		dv := DataVocab{ID: "vocab-" + e.name, Name: e.name}
		for _, c := range e.values {
			dv.Terms = append(dv.Terms, DataTerm{Code: c, Label: l.T(e.name + "." + c), English: en.T(e.name + "." + c)})
		}
		v.Vocabs = append(v.Vocabs, dv)
	}
	for i := range v.Vocabs {
		for j, t := range v.Vocabs[i].Terms {
			// A missing catalog entry shows the key; show the code instead.
			if strings.Contains(t.Label, ".") && strings.HasSuffix(t.Label, t.Code) {
				v.Vocabs[i].Terms[j].Label = t.Code
			}
			if strings.Contains(t.English, ".") && strings.HasSuffix(t.English, t.Code) {
				v.Vocabs[i].Terms[j].English = t.Code
			}
		}
	}
	s.render(w, r, http.StatusOK, "data", &v)
}

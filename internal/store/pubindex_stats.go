package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// The in-memory index also answers /stats for any filter (Stats' SQL path
// reads every matching document: 51 s for a country at a million
// incidents). Per incident it keeps whether its date is known to the month
// and, as codes of a dictionary of their own (sdict, so that many outlet
// names cannot crowd out the filter values), one "target" code per
// targeted person (role and gender) and one "outlet" code per distinct
// targeted outlet. The monthly series is the month of the date crossed
// with the incident's family terms. The definitions are those of statsSQL
// and of migration 0070's triggers.

// Values of pubRow.month: the SQL path counts an incident in the monthly
// series when date_sort is not empty and date_precision is day or month,
// as without a month when that is false, and in neither when it is
// NULL (a document without date_precision).
const (
	monthNone    = 0
	monthKnown   = 1
	monthNeither = 2
)

// statsColumnSQL selects, after the index fields, what the statistics
// need of the document: SQLite's stored JSON as it is (reading it is cheap;
// json_each over it in the engine cost seven times the rest of the index);
// on PostgreSQL the two members of the jsonb document.
func (d *DB) statsColumnSQL() string {
	if d.dialect.IsPostgres() {
		return "jsonb_build_object('date_precision', p.doc->'date_precision', 'violations', p.doc->'violations')::text"
	}
	return "p.doc"
}

// statsCodes reads the statistics of one incident (date known to the
// month, targeted persons and outlets) from its document, appends their
// codes to b.terms and returns how many, with the month state. Anything
// the SQL definitions would read differently from this walk (a value that
// is not a string where a string belongs, a malformed document) or codes
// that do not fit set b.noStats: SQL then answers /stats with a filter.
func (b *indexBuilder) statsCodes(doc []byte, dated bool) (n uint16, month uint8) {
	month = monthNone
	if b.noStats {
		return 0, month
	}
	start := len(b.terms)
	fail := func() (uint16, uint8) {
		b.noStats = true
		b.terms = b.terms[:start]
		return 0, monthNone
	}
	w := jsonWalk{b: doc}
	var precision string
	hasPrecision := false
	ok := w.object(func(key []byte) bool {
		switch string(key) {
		case "date_precision":
			s, isNull, ok := w.stringOrNull()
			if !ok {
				// A number or an object is neither "day" nor "month".
				hasPrecision = w.skip()
				return hasPrecision
			}
			precision, hasPrecision = s, !isNull
			return true
		case "violations":
			if w.null() {
				return true
			}
			return w.array(func() bool {
				return w.object(func(key []byte) bool {
					if string(key) != "targets" {
						return w.skip()
					}
					if w.null() {
						return true
					}
					return w.array(func() bool { return b.target(&w, start) })
				})
			})
		}
		return w.skip()
	})
	if !ok || b.noStats {
		return fail()
	}
	switch {
	case !dated:
	case !hasPrecision:
		month = monthNeither
	case precision == domain.PrecisionDay || precision == domain.PrecisionMonth:
		month = monthKnown
	}
	n32 := len(b.terms) - start
	if n32 > 1<<16-1 {
		return fail()
	}
	return uint16(n32), month
}

// target reads one target object and appends its codes: a person's role
// and gender; the outlet (a person's outlet, an outlet's or a website's
// name) once per incident (the incident's codes start at start).
func (b *indexBuilder) target(w *jsonWalk, start int) bool {
	var kind, role, gender, outlet, name string
	ok := w.object(func(key []byte) bool {
		var dst *string
		switch string(key) {
		case "kind":
			dst = &kind
		case "role":
			dst = &role
		case "gender":
			dst = &gender
		case "outlet":
			dst = &outlet
		case "name":
			dst = &name
		default:
			return w.skip()
		}
		s, _, ok := w.stringOrNull()
		*dst = s
		return ok
	})
	if !ok {
		return false
	}
	switch kind {
	case domain.TargetPerson:
		b.key = targetKey(b.key[:0], role, gender)
		c, ok := b.sdict.addKey(b.key)
		if !ok {
			b.noStats = true
			return false
		}
		b.terms = append(b.terms, c)
	case domain.TargetOutlet, domain.TargetWebsite:
		outlet = name
	default:
		outlet = ""
	}
	if outlet == "" {
		return true
	}
	b.key = append(append(b.key[:0], "outlet="...), outlet...)
	c, ok := b.sdict.addKey(b.key)
	if !ok {
		b.noStats = true
		return false
	}
	if !slices.Contains(b.terms[start:], c) {
		b.terms = append(b.terms, c)
	}
	return true
}

// targetKey is the sdict key of a targeted person: the role's length
// keeps any role and gender apart.
func targetKey(key []byte, role, gender string) []byte {
	key = append(key, "target="...)
	key = strconv.AppendInt(key, int64(len(role)), 10)
	key = append(key, ':')
	return append(append(key, role...), gender...)
}

func parseTargetValue(v string) (role, gender string, ok bool) {
	n, rest, ok := strings.Cut(v, ":")
	if !ok {
		return "", "", false
	}
	k, err := strconv.Atoi(n)
	if err != nil || k < 0 || k > len(rest) {
		return "", "", false
	}
	return rest[:k], rest[k:], true
}

// statsShape is what a stats pass needs to know of an index: which dict
// codes are families (their slot in a month's row of counts) and the range
// of months. A year has 100 month slots, 00 to 99, as the index accepts
// any two digits where the month is (the SQL path groups by the text).
type statsShape struct {
	famSlot  []int16 // per dict code: -1, or the family's slot
	families []uint16
	minYear  int
	months   int // slots: years × 100
	ncodes   int // len(sdict.names)
}

// maxStatsCells bounds the months × families counts of one pass (a
// record spanning centuries is counted by SQL).
const maxStatsCells = 1 << 20

// statsShape returns the shape of idx's statistics, nil when the index
// cannot count them.
func (idx *pubIndex) statsShape() *statsShape {
	if idx.noStats {
		return nil
	}
	s := &statsShape{famSlot: make([]int16, len(idx.dict.names)), ncodes: len(idx.sdict.names)}
	for c, nv := range idx.dict.names {
		s.famSlot[c] = -1
		if nv[0] == "family" && len(s.families) < 1<<15-1 {
			s.famSlot[c] = int16(len(s.families))
			s.families = append(s.families, uint16(c))
		}
	}
	// Rows are newest first, unknown dates (0) last.
	if n := sortSearch(len(idx.rows), func(i int) bool { return idx.rows[i].date == 0 }); n > 0 {
		maxY, minY := int(idx.rows[0].date/10000), int(idx.rows[n-1].date/10000)
		s.minYear, s.months = minY, (maxY-minY+1)*100
	}
	if s.months*len(s.families) > maxStatsCells {
		return nil
	}
	return s
}

// statsCount is what a stats pass counts.
type statsCount struct {
	monthly []int32 // [month][family slot]
	noMonth int
	codes   []int32 // per sdict code: persons per role and gender, incidents per outlet
}

func (s *statsShape) newCount() *statsCount {
	return &statsCount{monthly: make([]int32, s.months*len(s.families)), codes: make([]int32, s.ncodes)}
}

func (c *statsCount) add(o *statsCount) {
	c.noMonth += o.noMonth
	for i, n := range o.monthly {
		c.monthly[i] += n
	}
	for i, n := range o.codes {
		c.codes[i] += n
	}
}

// count adds the matched row r.
func (s *statsShape) count(c *statsCount, idx *pubIndex, r *pubRow) {
	switch r.month {
	case monthKnown:
		mi := (int(r.date/10000)-s.minYear)*100 + int(r.date/100%100)
		for _, t := range idx.terms[r.toff : r.toff+uint32(r.tn)] {
			if f := s.famSlot[t]; f >= 0 {
				c.monthly[mi*len(s.families)+int(f)]++
			}
		}
	case monthNone:
		c.noMonth++
	}
	end := r.toff + uint32(r.tn)
	for _, code := range idx.terms[end : end+uint32(r.sn)] {
		c.codes[code]++
	}
}

// fill writes the counts of a stats pass into out (sorted as Stats' SQL
// path sorts them).
func (s *statsShape) fill(idx *pubIndex, c *statsCount, out *domain.Stats) error {
	for i, n := range c.monthly {
		if n == 0 {
			continue
		}
		mi, f := i/len(s.families), i%len(s.families)
		month := fmt.Sprintf("%04d-%02d", s.minYear+mi/100, mi%100)
		out.Monthly = append(out.Monthly, domain.MonthFamilyCount{Month: month, Family: idx.dict.names[s.families[f]][1], Count: int(n)})
	}
	out.NoMonth = c.noMonth
	for code, n := range c.codes {
		if n == 0 {
			continue
		}
		nv := idx.sdict.names[code]
		switch nv[0] {
		case "target":
			role, gender, ok := parseTargetValue(nv[1])
			if !ok {
				return fmt.Errorf("store: stats: bad target code %q", nv[1])
			}
			out.Targets = append(out.Targets, domain.RoleGenderCount{Role: role, Gender: gender, Count: int(n)})
		case "outlet":
			out.Outlets = append(out.Outlets, domain.FacetCount{Value: nv[1], Count: int(n)})
		}
	}
	sortStats(out)
	sortOutlets(out)
	return nil
}

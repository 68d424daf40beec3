package charts

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// Table holds a chart's numbers for an HTML table fallback and CSV.
// Columns[0] heads the row labels; each row has len(Columns)-1 values.
type Table struct {
	Caption string
	Columns []string
	Rows    []TableRow
}

// TableRow is one row: a label (optionally a link) and raw counts.
type TableRow struct {
	Key    string
	Label  string
	Href   string
	Values []int
}

// HTML renders the table with numbers formatted by format (strconv.Itoa if nil).
func (t Table) HTML(format func(int) string) template.HTML {
	if format == nil {
		format = strconv.Itoa
	}
	var b strings.Builder
	b.WriteString(`<table class="pw-chart-table">`)
	if t.Caption != "" {
		fmt.Fprintf(&b, "<caption>%s</caption>", esc(t.Caption))
	}
	b.WriteString("<thead><tr>")
	for _, c := range t.Columns {
		fmt.Fprintf(&b, `<th scope="col">%s</th>`, esc(c))
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range t.Rows {
		b.WriteString(`<tr><th scope="row">`)
		if h := safeHref(r.Href); h != "" {
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, esc(h), esc(r.Label))
		} else {
			b.WriteString(esc(r.Label))
		}
		b.WriteString("</th>")
		for _, v := range r.Values {
			fmt.Fprintf(&b, "<td>%s</td>", esc(format(v)))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return template.HTML(b.String()) //nolint:gosec // escaped above
}

// WriteCSV writes the table as RFC 4180 CSV: a header row of Columns, then
// one row per TableRow with the row's Key (or Label when Key is empty) and
// raw integers.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return fmt.Errorf("charts: csv: %w", err)
	}
	for _, r := range t.Rows {
		rec := make([]string, 0, len(r.Values)+1)
		k := r.Key
		if k == "" {
			k = r.Label
		}
		rec = append(rec, k)
		for _, v := range r.Values {
			rec = append(rec, strconv.Itoa(v))
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("charts: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("charts: csv: %w", err)
	}
	return nil
}

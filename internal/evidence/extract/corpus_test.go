package extract

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusPage is one page of the regression corpus with what it must yield.
type corpusPage struct {
	name     string
	html     []byte
	text     string
	expected expectedMeta
}

// expectedMeta is NAME.expected.json: only the fields present are checked.
type expectedMeta struct {
	Title     string `json:"title"`
	Byline    string `json:"byline"`
	Published string `json:"published"`
	Modified  string `json:"modified"`
	Language  string `json:"language"`
	Direction string `json:"direction"`
}

// MustLoadCorpus reads testdata/corpus, sorted by name.
func MustLoadCorpus(tb testing.TB) []corpusPage {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.html"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatal("no corpus pages in testdata/corpus")
	}
	sort.Strings(files)
	var pages []corpusPage
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		h, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".html") + ".expected.txt")
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		p := corpusPage{name: name, html: h, text: Normalize(string(want))}
		if j, err := os.ReadFile(strings.TrimSuffix(f, ".html") + ".expected.json"); err == nil {
			if err := json.Unmarshal(j, &p.expected); err != nil {
				tb.Fatalf("%s.expected.json: %v", name, err)
			}
		}
		pages = append(pages, p)
	}
	return pages
}

func corpusURL(name string) *url.URL {
	return &url.URL{Scheme: "https", Host: "news.example", Path: "/2024/" + name}
}

// corpusF1 extracts every page and returns the per-page F1 scores.
func corpusF1(tb testing.TB, pages []corpusPage) []float64 {
	scores := make([]float64, len(pages))
	for i, p := range pages {
		a, err := Extract(p.html, corpusURL(p.name))
		if err != nil {
			tb.Errorf("%s: %v", p.name, err)
			continue
		}
		scores[i], _, _ = WordF1(a.Text, p.text)
	}
	return scores
}

func TestCorpusF1(t *testing.T) {
	pages := MustLoadCorpus(t)
	if len(pages) < 30 {
		t.Errorf("corpus has %d pages, want at least 30", len(pages))
	}
	var sum float64
	var report strings.Builder
	fmt.Fprintf(&report, "%-28s %6s %6s %6s %-12s\n", "page", "F1", "prec", "recall", "method")
	for _, p := range pages {
		a, err := Extract(p.html, corpusURL(p.name))
		if err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
		f1, prec, rec := WordF1(a.Text, p.text)
		sum += f1
		fmt.Fprintf(&report, "%-28s %6.3f %6.3f %6.3f %-12s\n", p.name, f1, prec, rec, a.Method)
		if f1 < 0.85 {
			t.Errorf("%s: F1 %.3f < 0.85 (precision %.3f, recall %.3f)\ngot:\n%s", p.name, f1, prec, rec, a.Text)
		}
	}
	avg := sum / float64(len(pages))
	fmt.Fprintf(&report, "%-28s %6.3f\n", "AVERAGE", avg)
	t.Log("\n" + report.String())
	if avg < 0.95 {
		t.Errorf("corpus average F1 %.3f < 0.95", avg)
	}
}

func TestCorpusMetadata(t *testing.T) {
	for _, p := range MustLoadCorpus(t) {
		t.Run(p.name, func(t *testing.T) {
			a, err := Extract(p.html, corpusURL(p.name))
			if err != nil {
				t.Fatal(err)
			}
			e := p.expected
			if e.Title != "" && a.Title != Normalize(e.Title) {
				t.Errorf("title = %q, want %q", a.Title, e.Title)
			}
			if e.Byline != "" && !strings.Contains(strings.ToLower(a.Byline), strings.ToLower(e.Byline)) {
				t.Errorf("byline = %q, want it to contain %q", a.Byline, e.Byline)
			}
			checkTime(t, "published", a.Published, e.Published)
			checkTime(t, "modified", a.Modified, e.Modified)
			if e.Language != "" && !strings.HasPrefix(strings.ToLower(a.Language), e.Language) {
				t.Errorf("language = %q, want %q", a.Language, e.Language)
			}
			if e.Direction != "" && a.Direction != e.Direction {
				t.Errorf("direction = %q, want %q", a.Direction, e.Direction)
			}
			if a.Text != Normalize(a.Text) {
				t.Errorf("Text is not normalised")
			}
			if got := strings.Join(a.Paragraphs, "\n\n"); got != a.Text {
				t.Errorf("Text is not the paragraphs joined by a blank line")
			}
		})
	}
}

func checkTime(t *testing.T, field string, got *time.Time, want string) {
	t.Helper()
	if want == "" {
		return
	}
	w, ok := parseDate(want)
	if !ok {
		t.Fatalf("expected %s %q does not parse", field, want)
	}
	if got == nil {
		t.Errorf("%s = nil, want %s", field, w)
	} else if !got.Equal(w) {
		t.Errorf("%s = %s, want %s", field, got, w)
	}
}

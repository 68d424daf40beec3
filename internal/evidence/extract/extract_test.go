package extract

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"spaces folded", "  a \t b\u00a0\u2003c  ", "a b c"},
		{"single newline is a space", "one\ntwo", "one two"},
		{"blank line is a paragraph break", "one\n\n\n  \n two", "one\n\ntwo"},
		{"crlf", "one\r\n\r\ntwo\r\nthree", "one\n\ntwo three"},
		{"nfc", "Cafe\u0301", "Café"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"controls and bidi marks dropped", "a\u200eb\u0000c\u00adf\ufeff", "abcf"},
		{"zwnj kept", "می\u200cخواهم", "می\u200cخواهم"},
		{"paragraph separator", "a\u2029b", "a\n\nb"},
		{"urdu", "  صحافی   کی\n\nگرفتاری ", "صحافی کی\n\nگرفتاری"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestWordF1(t *testing.T) {
	tests := []struct {
		name, got, want string
		f1              float64
	}{
		{"equal", "a b c", "c b a", 1},
		{"both empty", "", "", 1},
		{"nothing found", "", "a", 0},
		{"half precision", "a b x y", "a b", 2 * 0.5 * 1 / 1.5},
		{"multiset", "a a", "a", 2 * 0.5 * 1 / 1.5},
		{"case and punctuation", "Hello, World!", "hello world", 1},
		{"devanagari words whole", "पत्रकार पर हमले", "पत्रकार पर हमले", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f1, _, _ := WordF1(tt.got, tt.want)
			if diff := f1 - tt.f1; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("WordF1 = %v, want %v", f1, tt.f1)
			}
		})
	}
	if n := len(Words("पत्रकार पर हमले")); n != 3 {
		t.Errorf("Devanagari split into %d words, want 3", n)
	}
}

const article = `<html><head><title>T</title></head><body><article><h1>Café closes</h1>
<p>The café on the corner closed its doors on Monday after forty years of serving the neighbourhood, its owner said.</p>
<p>Regulars gathered outside to say goodbye, and many brought photographs from the early years of the business.</p>
<p>The owner said rising rents had made it impossible to continue, and that she hoped someone would reopen it.</p></article></body></html>`

func TestExtractReaderCharsets(t *testing.T) {
	u, _ := url.Parse("https://news.example/a")
	latin1, err := charmap.Windows1252.NewEncoder().String(article)
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(article)
	if err != nil {
		t.Fatal(err)
	}
	metaLatin1 := strings.Replace(latin1, "<head>", `<head><meta charset="windows-1252">`, 1)
	tests := []struct {
		name        string
		body        string
		contentType string
	}{
		{"utf-8", article, ""},
		{"utf-8 with BOM", "\xef\xbb\xbf" + article, "text/html; charset=iso-8859-1"},
		{"content-type charset", latin1, "text/html; charset=windows-1252"},
		{"meta charset", metaLatin1, "text/html"},
		{"utf-16 with BOM", utf16, "text/html"},
		{"undeclared latin-1 guessed", latin1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ExtractReader(strings.NewReader(tt.body), u, tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(a.Text, "The café on the corner") {
				t.Errorf("text not decoded: %q", a.Text)
			}
			if len(a.Paragraphs) != 3 {
				t.Errorf("got %d paragraphs, want 3: %q", len(a.Paragraphs), a.Paragraphs)
			}
		})
	}
}

func TestExtractHostileInput(t *testing.T) {
	deep := strings.Repeat("<div>", 100000) + "text" + strings.Repeat("</div>", 100000)
	tests := []struct {
		name string
		body string
	}{
		{"empty", ""},
		{"not html", "\x00\x01\x02 binary \xff\xfe"},
		{"deep nesting", deep},
		{"invalid utf-8 in text", "<p>" + strings.Repeat("ok \xff\xc3 ", 200) + "</p>"},
		{"broken json-ld", `<script type="application/ld+json">{"@type":"NewsArticle","headline":</script><p>x</p>`},
		{"json-ld wrong types", `<script type="application/ld+json">{"@type":["NewsArticle"],"headline":7,"author":[1,{"name":{}}],"datePublished":[]}</script>`},
		{"many tables", strings.Repeat("<table><tr><td>cell</td></tr>", 5000)},
		{"huge attribute", `<div class="` + strings.Repeat("share ", 50000) + `">x</div>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Extract([]byte(tt.body), nil)
			if err != nil && !errors.Is(err, ErrNoText) {
				t.Fatalf("unexpected error: %v", err)
			}
			if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) {
				t.Errorf("invalid UTF-8 in output")
			}
		})
	}
}

func TestExtractMetadataSources(t *testing.T) {
	tests := []struct {
		name, html               string
		title, byline, lang, dir string
		published                string
	}{
		{"json-ld graph", `<html lang="en-gb"><script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","headline":"H","author":[{"name":"A"},{"name":"B"}],"datePublished":"2024-01-02T03:04:05+05:00"}]}</script><p>` + strings.Repeat("Some words here. ", 30) + `</p>`,
			"H", "A and B", "en-GB", "ltr", "2024-01-02T03:04:05+05:00"},
		{"opengraph", `<html><head><meta property="og:title" content="OG | Site"><meta property="og:site_name" content="Site"><meta property="article:published_time" content="2023-05-06"><meta name="author" content="By C D"></head><body><p>` + strings.Repeat("Some words here. ", 30) + `</p>`,
			"OG", "C D", "", "", "2023-05-06"},
		{"time element and rtl", `<html dir="rtl" lang="ur"><body><h1>سرخی</h1><time datetime="2022-02-03T10:00:00Z" class="published">x</time><p>` + strings.Repeat("یہ ایک جملہ ہے۔ ", 30) + `</p>`,
			"سرخی", "", "ur", "rtl", "2022-02-03T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Extract([]byte(tt.html), nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
			if a.Byline != tt.byline {
				t.Errorf("byline %q, want %q", a.Byline, tt.byline)
			}
			if tt.lang != "" && a.Language != tt.lang {
				t.Errorf("language %q, want %q", a.Language, tt.lang)
			}
			if tt.dir != "" && a.Direction != tt.dir {
				t.Errorf("direction %q, want %q", a.Direction, tt.dir)
			}
			checkTime(t, "published", a.Published, tt.published)
		})
	}
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte(article), "")
	f.Add([]byte(`<html><meta charset="shift_jis"><p>\x82\xa0</p>`), "text/html")
	for _, p := range MustLoadCorpus(f)[:4] {
		f.Add(p.html, "text/html; charset=utf-8")
	}
	u, _ := url.Parse("https://news.example/fuzz")
	f.Fuzz(func(t *testing.T, content []byte, contentType string) {
		if len(content) > 256<<10 {
			return
		}
		a, err := ExtractReader(bytes.NewReader(content), u, contentType)
		if err != nil && !errors.Is(err, ErrNoText) {
			t.Fatalf("unexpected error: %v", err)
		}
		if !utf8.ValidString(a.Text) {
			t.Fatalf("invalid UTF-8 text")
		}
		if Normalize(a.Text) != a.Text {
			t.Fatalf("text not normalised: %q", a.Text)
		}
		if a.Direction != "ltr" && a.Direction != "rtl" {
			t.Fatalf("direction %q", a.Direction)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "a\n\nb", " \r\n\u2029x\u200c\xff", "Cafe\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8")
		}
		if Normalize(n) != n {
			t.Fatalf("not idempotent: %q -> %q", n, Normalize(n))
		}
		if ref := normalizeReference(s); n != ref {
			t.Fatalf("Normalize(%q) = %q, reference gives %q", s, n, ref)
		}
		if got, want := countWords(s), len(Words(s)); got != want {
			t.Fatalf("countWords(%q) = %d, want %d", s, got, want)
		}
		if got, want := countFields(s), len(strings.Fields(s)); got != want {
			t.Fatalf("countFields(%q) = %d, want %d", s, got, want)
		}
	})
}

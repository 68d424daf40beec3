package web

import (
	"io/fs"
	"regexp"
	"testing"
)

func TestCatalogsHaveEveryKey(t *testing.T) {
	cat, err := loadCatalogs(i18nFS)
	if err != nil {
		t.Fatal(err)
	}
	for key := range cat.msgs["en"] {
		for _, loc := range cat.locales {
			if _, ok := cat.msgs[loc][key]; !ok {
				t.Errorf("%s.json lacks %q", loc, key)
			}
		}
	}
	// Every key the templates use exists in English.
	re := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFS, p)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, ok := cat.msgs["en"][m[1]]; !ok {
				t.Errorf("%s uses missing key %q", p, m[1])
			}
		}
		return nil
	})
}

func TestTranslatePlurals(t *testing.T) {
	cat, err := loadCatalogs(i18nFS)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		loc, key string
		args     []any
		want     string
	}{
		{"en", "list.count", []any{1}, "1 incident"},
		{"en", "list.count", []any{1234}, "1,234 incidents"},
		{"ur", "list.count", []any{2}, "2 واقعات"},
		{"hi", "list.count", []any{1}, "1 घटना"},
		{"en", "date.month", []any{"March", "2024"}, "March 2024"},
		{"en", "no.such.key", nil, "no.such.key"},
		{"xx", "nav.home", nil, "Home"},
	}
	for _, tt := range tests {
		t.Run(tt.loc+"/"+tt.key, func(t *testing.T) {
			if got := cat.localizer(tt.loc).T(tt.key, tt.args...); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

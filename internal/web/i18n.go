package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// catalogs hold the interface strings of every locale, read from
// i18n/<locale>.json. A value is a string, or an object of plural forms
// ("zero", "one", "two", "few", "many", "other") chosen by the first
// integer argument. Strings are fmt formats, so translations may reorder
// arguments with %[2]s.
type catalogs struct {
	locales []string // "en" first
	msgs    map[string]map[string]entry
	tags    map[string]language.Tag
}

type entry struct {
	text  string
	forms map[plural.Form]string
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

func loadCatalogs(fsys fs.FS) (*catalogs, error) {
	files, err := fs.Glob(fsys, "i18n/*.json")
	if err != nil {
		return nil, fmt.Errorf("web: i18n: %w", err)
	}
	c := &catalogs{msgs: map[string]map[string]entry{}, tags: map[string]language.Tag{}}
	for _, f := range files {
		loc := strings.TrimSuffix(path.Base(f), ".json")
		tag, err := language.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("web: i18n: %s: %w", f, err)
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("web: i18n: %w", err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("web: i18n: %s: %w", f, err)
		}
		m := map[string]entry{}
		for k, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				m[k] = entry{text: s}
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				return nil, fmt.Errorf("web: i18n: %s: key %q: %w", f, k, err)
			}
			e := entry{forms: map[plural.Form]string{}}
			for name, text := range forms {
				pf, ok := formNames[name]
				if !ok {
					return nil, fmt.Errorf("web: i18n: %s: key %q: unknown plural form %q", f, k, name)
				}
				e.forms[pf] = text
			}
			if e.forms[plural.Other] == "" {
				return nil, fmt.Errorf("web: i18n: %s: key %q: plural without \"other\"", f, k)
			}
			m[k] = e
		}
		c.msgs[loc] = m
		c.tags[loc] = tag
		c.locales = append(c.locales, loc)
	}
	if c.msgs["en"] == nil {
		return nil, fmt.Errorf("web: i18n: no en.json")
	}
	sort.Slice(c.locales, func(i, j int) bool {
		return c.locales[i] == "en" || (c.locales[j] != "en" && c.locales[i] < c.locales[j])
	})
	return c, nil
}

func (c *catalogs) has(loc string) bool { _, ok := c.msgs[loc]; return ok }

// Localizer translates interface strings for one locale. Templates call
// {{.L.T "key" args...}}; handlers call the same method.
type Localizer struct {
	Locale string
	cat    *catalogs
	tag    language.Tag
	p      *message.Printer
}

func (c *catalogs) localizer(loc string) *Localizer {
	if !c.has(loc) {
		loc = "en"
	}
	tag := c.tags[loc]
	return &Localizer{Locale: loc, cat: c, tag: tag, p: message.NewPrinter(tag)}
}

// T returns the string for key in the locale (falling back to English, then
// to the key itself), formatted with args. A plural entry picks its form by
// the first integer argument.
func (l *Localizer) T(key string, args ...any) string {
	e, ok := l.cat.msgs[l.Locale][key]
	tag := l.tag
	if !ok {
		e, ok = l.cat.msgs["en"][key]
		tag = language.English
	}
	if !ok {
		return key
	}
	text := e.text
	if e.forms != nil {
		n := 0
		for _, a := range args {
			if i, isInt := a.(int); isInt {
				n = i
				break
			}
		}
		form := plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)
		if t, ok := e.forms[form]; ok {
			text = t
		} else {
			text = e.forms[plural.Other]
		}
	}
	if len(args) == 0 {
		return text
	}
	return l.p.Sprintf(text, args...)
}

// Dir is "rtl" for right-to-left locales.
func (l *Localizer) Dir() string {
	if l.Locale == "ur" {
		return "rtl"
	}
	return "ltr"
}

// Num formats a number for the locale.
func (l *Localizer) Num(n int) string { return l.p.Sprintf("%d", n) }

// Path prefixes an absolute site path with the locale.
func (l *Localizer) Path(p string) string {
	if l.Locale == "en" {
		return p
	}
	if p == "/" {
		return "/" + l.Locale + "/"
	}
	return "/" + l.Locale + p
}

// Month names the month (1–12).
func (l *Localizer) Month(m int) string { return l.T(fmt.Sprintf("month.%d", m)) }

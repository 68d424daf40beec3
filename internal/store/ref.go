package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/presswatch/presswatch/internal/domain"
)

// nextRef takes the next number of the country and year from ref_counters
// in tx and returns the ref CC-YYYY-NNNN. The upsert holds the counter row's
// lock until tx ends, so concurrent writers get distinct numbers on both
// engines.
func nextRef(ctx context.Context, tx *Tx, country string, year int) (string, error) {
	var n int
	err := tx.QueryRow(ctx, `INSERT INTO ref_counters (country, year, next) VALUES (?, ?, 2)
		ON CONFLICT (country, year) DO UPDATE SET next = ref_counters.next + 1
		RETURNING next - 1`, country, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("store: next ref %s-%d: %w", country, year, TranslateError(err))
	}
	return fmt.Sprintf("%s-%04d-%04d", country, year, n), nil
}

// refYear is the year of the incident's start date, or now's year if the
// date is unknown.
func refYear(inc *domain.Incident, now time.Time) int {
	if t, err := domain.ParseFuzzyDate(inc.DateStart, inc.DatePrecision); err == nil && inc.DateStart != "" {
		return t.Year()
	}
	return now.Year()
}

// Slugify makes a URL slug from a title: ASCII letters and digits (accents
// folded), words joined by "-", at most 80 characters. A title with no ASCII
// letter (Urdu, Hindi) gives the lower-cased fallback (the ref).
func Slugify(title, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(title) {
		if b.Len() >= 80 {
			break
		}
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > 80 {
		s = s[:80]
	}
	s = strings.Trim(s, "-")
	if s == "" {
		return strings.ToLower(fallback)
	}
	return s
}

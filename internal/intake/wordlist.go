package intake

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// effLarge is the EFF long wordlist (7,776 words, CC BY 3.0 US); see
// wordlist/LICENCE.md. Each line is "dice-index<TAB>word".
//
//go:embed wordlist/eff_large.txt
var effLarge string

// wordlist is parsed once, on first use.
var wordlist = sync.OnceValues(func() ([]string, error) {
	return parseWordlist(effLarge)
})

// wordIndex maps each word to its position in the list.
var wordIndex = sync.OnceValue(func() map[string]int {
	words, err := wordlist()
	if err != nil {
		return nil
	}
	m := make(map[string]int, len(words))
	for i, w := range words {
		m[w] = i
	}
	return m
})

func parseWordlist(s string) ([]string, error) {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	words := make([]string, 0, len(lines))
	seen := make(map[string]bool, len(lines))
	for i, line := range lines {
		_, word, ok := strings.Cut(line, "\t")
		if !ok || word == "" || strings.ContainsAny(word, " \t\r") {
			return nil, fmt.Errorf("intake: wordlist line %d malformed", i+1)
		}
		if seen[word] {
			return nil, fmt.Errorf("intake: wordlist line %d: duplicate word %q", i+1, word)
		}
		seen[word] = true
		words = append(words, word)
	}
	return words, nil
}

// Wordlist returns a copy of the codename word list.
func Wordlist() []string {
	words, err := wordlist()
	if err != nil {
		panic(err) // the embedded list is checked by tests; this cannot happen in a build that passed them
	}
	return append([]string(nil), words...)
}

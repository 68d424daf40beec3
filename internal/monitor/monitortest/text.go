package monitortest

import (
	"fmt"
	"hash/fnv"
	"strings"
)

var words = strings.Fields(`the minister said on tuesday that government would review report about
water supply in city districts where residents have complained for months officials from provincial
department visited several neighbourhoods and promised new pipes before summer opposition leaders
called plan inadequate and demanded inquiry into contracts awarded last year journalists who asked
questions were told details remain confidential police spokesman declined comment while court
hearing was adjourned until next week farmers traders students teachers doctors engineers gathered
outside press club to protest rising prices electricity shortages unpaid salaries new taxes budget`)

// Sentence returns a deterministic pseudo-English sentence of n words.
func Sentence(seed string, n int) string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	x := h.Sum64()
	var b strings.Builder
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		w := words[x%uint64(len(words))]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

// Paragraph returns a deterministic paragraph of k sentences.
func Paragraph(seed string, k int) string {
	var s []string
	for i := 0; i < k; i++ {
		s = append(s, Sentence(fmt.Sprintf("%s/%d", seed, i), 12+i%5))
	}
	return strings.Join(s, " ")
}

// Body returns n deterministic paragraphs.
func Body(seed string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = Paragraph(fmt.Sprintf("%s#%d", seed, i), 3)
	}
	return out
}

// NewArticle returns an article with generated text at path in section.
func NewArticle(section, slug string) *Article {
	a := &Article{
		Path:    "/" + section + "/2024/05/" + slug,
		Section: section,
		Title:   strings.ToUpper(slug[:1]) + strings.ReplaceAll(slug[1:], "-", " ") + " " + Sentence(slug+"title", 5),
		Lede:    Paragraph(slug+"lede", 2),
		Body:    Body(slug, 5),
	}
	return a
}

package monitor

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var diffWords = strings.Fields("the minister said court police وزیر اعظم نے कहा सरकार report 2024 water, inquiry. new old")

func randomText(r *rand.Rand) string {
	var paras []string
	for p := 0; p < r.IntN(6); p++ {
		var ws []string
		for w := 0; w < 1+r.IntN(12); w++ {
			ws = append(ws, diffWords[r.IntN(len(diffWords))])
		}
		paras = append(paras, strings.Join(ws, " "))
	}
	return strings.Join(paras, "\n\n")
}

// randomEdit applies random word and paragraph edits to text.
func randomEdit(r *rand.Rand, text string) string {
	toks := tokenize(text)
	for i := 0; i < r.IntN(6); i++ {
		switch r.IntN(4) {
		case 0: // insert a word
			at := r.IntN(len(toks) + 1)
			toks = append(toks[:at], append([]string{" " + diffWords[r.IntN(len(diffWords))]}, toks[at:]...)...)
		case 1: // delete a token
			if len(toks) > 0 {
				at := r.IntN(len(toks))
				toks = append(toks[:at], toks[at+1:]...)
			}
		case 2: // new paragraph
			toks = append(toks, "\n\n", diffWords[r.IntN(len(diffWords))])
		case 3: // replace
			if len(toks) > 0 {
				toks[r.IntN(len(toks))] = diffWords[r.IntN(len(diffWords))]
			}
		}
	}
	return strings.Join(toks, "")
}

// TestDiffRebuildsTexts is the property the diff libraries are guarded by:
// from every diff, paragraph and word level, both texts come back exactly.
func TestDiffRebuildsTexts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		a := randomText(r)
		b := randomEdit(r, a)
		if i%10 == 0 {
			b = randomText(r)
		}
		d := DiffText(a, b)
		if d.OldText() != a || d.NewText() != b {
			t.Fatalf("case %d: paragraph diff does not rebuild\nold %q\nnew %q\n%+v", i, a, b, d)
		}
		if (a != b) != d.Changed() {
			t.Fatalf("case %d: Changed() = %v for %q vs %q", i, d.Changed(), a, b)
		}
		var oldB, newB strings.Builder
		for _, w := range DiffWords(a, b) {
			if w.Op != OpInsert {
				oldB.WriteString(w.Text)
			}
			if w.Op != OpDelete {
				newB.WriteString(w.Text)
			}
		}
		if oldB.String() != a || newB.String() != b {
			t.Fatalf("case %d: word diff does not rebuild\nold %q\nnew %q", i, a, b)
		}
		for _, op := range d.Ops {
			if op.Op != OpReplace {
				continue
			}
			var o, n strings.Builder
			for _, w := range op.Words {
				if w.Op != OpInsert {
					o.WriteString(w.Text)
				}
				if w.Op != OpDelete {
					n.WriteString(w.Text)
				}
			}
			if o.String() != strings.Join(op.Old, paragraphSep) || n.String() != strings.Join(op.New, paragraphSep) {
				t.Fatalf("case %d: replace block words do not rebuild", i)
			}
		}
		// The side-by-side view shows every old and new word, in order.
		var left, right strings.Builder
		for _, row := range SideBySide(d) {
			for _, s := range row.Left {
				left.WriteString(s.Text)
			}
			left.WriteString("\n\n")
			for _, s := range row.Right {
				right.WriteString(s.Text)
			}
			right.WriteString("\n\n")
		}
		if wordsOf(left.String()) != wordsOf(a) || wordsOf(right.String()) != wordsOf(b) {
			t.Fatalf("case %d: side by side loses words\nold %q\nleft %q", i, a, left.String())
		}
	}
}

func TestDiffCounts(t *testing.T) {
	d := DiffText("One two three.\n\nFour five six.", "One two three.\n\nFour seven six.\n\nEight.")
	if d.WordsChanged != 3 || d.WordsTotal != 7 {
		t.Errorf("changed %d total %d, want 3 and 7", d.WordsChanged, d.WordsTotal)
	}
	if DiffText("Same text.", "Same text!").WordsChanged != 0 {
		t.Error("punctuation counted as words")
	}
}

func TestHostLimiter(t *testing.T) {
	l := NewHostLimiter(20 * time.Millisecond)
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < 3; i++ {
		if err := l.Wait(ctx, "a.test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Wait(ctx, "b.test"); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 40*time.Millisecond || el > 2*time.Second {
		t.Errorf("3 requests to one host took %v, want ≥ 40ms", el)
	}
	cctx, cancel := context.WithCancel(ctx)
	l.SetDelay("c.test", time.Hour)
	_ = l.Wait(cctx, "c.test")
	cancel()
	if err := l.Wait(cctx, "c.test"); err == nil {
		t.Error("Wait ignored a cancelled context")
	}
}

func TestMemStore(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore()
	if err := s.SaveOutlet(ctx, Outlet{Slug: "Bad Slug", Name: "x", Homepage: "https://e.com/"}); err == nil {
		t.Error("bad slug accepted")
	}
	if _, err := s.Article(ctx, "https://e.com/none"); err == nil {
		t.Error("missing article found")
	}
	now := time.Now()
	for i, u := range []string{"https://e.com/b", "https://e.com/a", "https://e.com/c"} {
		ok, err := s.AddArticle(ctx, Article{URL: u, NextCheck: now.Add(time.Duration(i) * time.Hour)})
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
	}
	if ok, _ := s.AddArticle(ctx, Article{URL: "https://e.com/a"}); ok {
		t.Error("duplicate added")
	}
	due, _ := s.Articles(ctx, ArticleFilter{DueBy: now.Add(time.Hour)})
	if len(due) != 2 || due[0].URL != "https://e.com/b" {
		t.Errorf("due %v", due)
	}
	all, _ := s.Articles(ctx, ArticleFilter{All: true, Limit: 2})
	if len(all) != 2 {
		t.Errorf("limit: %d", len(all))
	}
}

func wordsOf(s string) string {
	var ws []string
	for _, tok := range tokenize(s) {
		if countWords(tok) > 0 {
			ws = append(ws, tok)
		}
	}
	return strings.Join(ws, " ")
}

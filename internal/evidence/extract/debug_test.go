package extract

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/go-shiori/dom"
	"golang.org/x/net/html"
)

func TestDebugPage(t *testing.T) {
	name := os.Getenv("PAGE")
	if name == "" {
		t.Skip()
	}
	b, _ := os.ReadFile("testdata/corpus/" + name + ".html")
	doc, _ := html.Parse(bytes.NewReader(decode(b, "")))
	clean := dom.Clone(doc, true)
	removeBoilerplate(clean)
	if os.Getenv("CLEAN") != "" {
		for _, bl := range renderBlocks(clean) {
			fmt.Printf("CLEAN| %s\n", bl.text)
		}
	}
	rd := readabilityCandidate(clean, nil, 0)
	if rd.node != nil {
		c := newCandidate("r", renderBlocks(rd.node), "", "")
		fmt.Printf("READABILITY score=%.1f words=%d\n", c.score, c.words)
		for _, bl := range c.blocks {
			fmt.Printf("R| %s\n", bl.text)
		}
	}
	tr := trafilaturaCandidate(clean, nil, true)
	if tr != nil {
		c := newCandidate("t", tr.blocks, "", "")
		fmt.Printf("TRAF score=%.1f words=%d\n", c.score, c.words)
		for _, bl := range c.blocks {
			fmt.Printf("T| %s\n", bl.text)
		}
	}
}

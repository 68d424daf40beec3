package extract

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/go-shiori/dom"
	"golang.org/x/net/html"
)

// TestDebugPage prints what each extractor proposes for one corpus page:
// EXTRACT_DEBUG=NAME go test -run TestDebugPage -v (EXTRACT_DEBUG_CLEAN=1 adds the
// cleaned page). It is a tool for adding pages, skipped otherwise.
func TestDebugPage(t *testing.T) {
	name := os.Getenv("EXTRACT_DEBUG")
	if name == "" {
		t.Skip("set EXTRACT_DEBUG=NAME to inspect a corpus page")
	}
	b, _ := os.ReadFile("testdata/corpus/" + name + ".html")
	doc, _ := html.Parse(bytes.NewReader(decode(b, "")))
	clean := dom.Clone(doc, true)
	removeBoilerplate(clean)
	if os.Getenv("EXTRACT_DEBUG_CLEAN") != "" {
		for _, bl := range renderBlocks(clean) {
			fmt.Printf("CLEAN| %s\n", bl.text)
		}
	}
	rd := readabilityCandidate(clean, nil, 0)
	if rd.node != nil {
		c := newCandidate("r", renderBlocks(rd.node), newBlockFilter("", ""))
		fmt.Printf("READABILITY score=%.1f words=%d\n", c.score, c.words)
		for _, bl := range c.blocks {
			fmt.Printf("R| %s\n", bl.text)
		}
	}
}

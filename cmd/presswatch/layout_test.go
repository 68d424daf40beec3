package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/presswatch/presswatch"

// TestLayout keeps DESIGN.md's dependency rules true: the domain imports
// nothing internal; web, api and editorial get interfaces and never the
// store, the job queue or a database driver; only cli wires concrete types.
func TestLayout(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	imports := map[string][]string{}
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		imports[p.ImportPath] = p.Imports
	}
	if len(imports) < 10 {
		t.Fatalf("go list found only %d packages", len(imports))
	}
	internal := func(p string) string { return strings.TrimPrefix(p, module+"/") }
	for pkg, imps := range imports {
		name := internal(pkg)
		for _, imp := range imps {
			dep := internal(imp)
			switch {
			case name == "internal/domain" && strings.HasPrefix(imp, module):
				t.Errorf("domain imports %s: it may import only the standard library", dep)
			case dep == "internal/store" && name != "internal/cli" && !strings.HasPrefix(name, "internal/store/"):
				t.Errorf("%s imports the store: only cli wires concrete stores", name)
			case isBoundary(name) && (dep == "internal/jobs" || strings.HasPrefix(imp, "modernc.org/sqlite") ||
				strings.HasPrefix(imp, "github.com/jackc/pgx") || strings.HasPrefix(imp, "github.com/riverqueue")):
				t.Errorf("%s imports %s: it must get interfaces, not the database or the queue", name, imp)
			}
		}
	}
}

// isBoundary reports whether pkg is one of the packages that DESIGN.md says
// get interfaces only.
func isBoundary(pkg string) bool {
	return pkg == "internal/web" || pkg == "internal/api" || pkg == "internal/editorial"
}

package cli

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// TestHelperPublishingServe is not a test: the crash test (log_test.go)
// runs the test binary again with PRESSWATCH_TEST_CRASH_CHILD=DATA_DIR to get
// a real serve process that publishes incidents in a loop, printing
// "ACK <ref>" once each publication has committed, until it is killed.
func TestHelperPublishingServe(t *testing.T) {
	dataDir := os.Getenv("PRESSWATCH_TEST_CRASH_CHILD")
	if dataDir == "" {
		t.Skip("helper process for the log crash test")
	}
	ctx := context.Background()
	env := &Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	cfg := &config.Config{DataDir: dataDir, LogLevel: "warn"}
	srv, err := OpenServer(ctx, env, cfg, serveOptions{addr: "127.0.0.1:0", log: logOptions{interval: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Run(ctx)
	db := srv.DB
	round := os.Getenv("PRESSWATCH_TEST_CRASH_ROUND")
	ed := storetest.MustUser(t, db, "ed"+round+"@example.org", domain.RoleEditor)
	ed2 := storetest.MustUser(t, db, "ed2"+round+"@example.org", domain.RoleEditor)
	for i := 0; ; i++ {
		inc := storetest.NewIncident(fmt.Sprintf("Crash round %s incident %d", round, i))
		if err := db.CreateIncident(ctx, inc, ed, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Transition(ctx, inc.ID, 1, domain.ActionSubmit, ed, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.Approve(ctx, inc.ID, 1, ed2, ""); err != nil {
			t.Fatal(err)
		}
		pub, err := db.Publish(ctx, inc.ID, 1, ed)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ACK %s\n", pub.Ref)
	}
}

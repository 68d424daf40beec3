// Command seed bulk-loads synthetic published incidents into a presswatch
// database for benchmarks and load tests (SQLite file or PostgreSQL URL). It
// migrates the database first. The incidents are fictional and marked demo.
//
//	go run ./internal/store/storetest/cmd/seed --database /tmp/pw/presswatch.db -n 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/presswatch/presswatch/internal/jobs"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	database := fs.String("database", "", "SQLite file path or postgres:// URL (required)")
	n := fs.Int("n", 100_000, "number of published incidents to add (0: only migrate)")
	seed := fs.Uint64("seed", 42, "random seed of the generator")
	chunk := fs.Int("chunk", 50_000, "incidents generated and loaded at a time (bounds memory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *database == "" || *n < 0 || *chunk <= 0 || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	db, err := store.Open(ctx, *database)
	if err != nil {
		fmt.Fprintln(stderr, "seed:", err)
		return 1
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		fmt.Fprintln(stderr, "seed: migrate:", err)
		return 1
	}
	// The job queue's tables too, so that `presswatch serve` starts on the
	// seeded database.
	if err := jobs.Migrate(ctx, db.WriterDB(), db.Engine()); err != nil {
		fmt.Fprintln(stderr, "seed: migrate the job queue:", err)
		return 1
	}
	start := time.Now()
	for done := 0; done < *n; {
		k := min(*chunk, *n-done)
		pubs := storetest.GeneratePublic(k, *seed+uint64(done))
		if err := db.SeedPublic(ctx, pubs); err != nil {
			fmt.Fprintln(stderr, "seed:", err)
			return 1
		}
		done += k
		fmt.Fprintf(stdout, "%d/%d incidents (%.0f/s)\n", done, *n, float64(done)/time.Since(start).Seconds())
	}
	if *n == 0 {
		return 0
	}
	if err := db.Analyze(ctx); err != nil {
		fmt.Fprintln(stderr, "seed: analyze:", err)
		return 1
	}
	fmt.Fprintf(stdout, "seeded %d incidents in %s\n", *n, time.Since(start).Round(time.Second))
	return 0
}

package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/presswatch/presswatch/internal/jobs"
	"github.com/presswatch/presswatch/internal/store"
)

type echoArgs struct {
	N int `json:"n"`
}

func (echoArgs) Kind() string { return "test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	mu   sync.Mutex
	seen map[int]int
	done chan struct{}
	want int
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[job.Args.N]++
	if len(w.seen) == w.want {
		close(w.done)
	}
	return nil
}

func openDBs(t *testing.T) map[string]*store.DB {
	t.Helper()
	ctx := context.Background()
	out := map[string]*store.DB{}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	out["sqlite"] = db
	if u := os.Getenv("PRESSWATCH_TEST_POSTGRES"); u != "" {
		out["postgres"] = openPostgresSchema(t, u)
	}
	return out
}

// openPostgresSchema opens PostgreSQL in a fresh schema dropped at the end.
func openPostgresSchema(t *testing.T, u string) *store.DB {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("jobs_test_%d", rand.Int64())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", u)
		if err == nil {
			a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	db, err := store.Open(ctx, u+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestJobsRunOnEveryEngine(t *testing.T) {
	for engine, db := range openDBs(t) {
		t.Run(engine, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := jobs.Migrate(ctx, db.WriterDB(), db.Engine()); err != nil {
				t.Fatal(err)
			}
			// Migrate is idempotent.
			if err := jobs.Migrate(ctx, db.WriterDB(), db.Engine()); err != nil {
				t.Fatal(err)
			}
			const n = 20
			w := &echoWorker{seen: map[int]int{}, done: make(chan struct{}), want: n}
			workers := jobs.NewWorkers()
			river.AddWorker(workers, w)
			// Two working clients share one queue, as two worker processes would.
			var clients []*jobs.Client
			for i := 0; i < 2; i++ {
				c, err := jobs.New(db.WriterDB(), db.Engine(), workers, jobs.Options{Work: true})
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Start(ctx); err != nil {
					t.Fatal(err)
				}
				clients = append(clients, c)
			}
			for i := 0; i < n; i++ {
				if _, err := clients[i%2].Insert(ctx, echoArgs{N: i}, nil); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case <-w.done:
			case <-ctx.Done():
				t.Fatalf("jobs did not finish: %v", w.seen)
			}
			for _, c := range clients {
				if err := c.Stop(ctx); err != nil {
					t.Fatal(err)
				}
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			for i := 0; i < n; i++ {
				if w.seen[i] != 1 {
					t.Errorf("job %d ran %d times", i, w.seen[i])
				}
			}
			if t.Failed() {
				fmt.Println(w.seen)
			}
		})
	}
}

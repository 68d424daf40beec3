package mirror_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/mirror"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

// cpuTime is the process's user+system CPU time: on the shared, loaded
// machine wall-clock time says little, CPU time says what the build costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuild builds a full mirror of PRESSWATCH_BENCH_MIRROR_INCIDENTS
// bulk-seeded incidents (default 1,000; the target is 100,000 in
// ≤ 2 min), then rebuilds it after one publication (target ≤ 5 s). It
// reports the CPU seconds of each build beside the wall-clock time. The
// incremental sub-benchmark publishes an incident dated after every seeded
// one; it also logs the cost of its first (full) build and, untimed, of a
// rebuild after an incident dated in the middle of the record.
//
// PRESSWATCH_BENCH_MIRROR_SKIP_FULL=1 skips the "full-N" sub-benchmark (the
// incremental one builds the mirror fully first anyway), and
// PRESSWATCH_BENCH_MIRROR_INCR_PROFILE=FILE writes a CPU profile of the
// incremental builds alone (go test's -cpuprofile also holds the seeding
// and the first, full build). PRESSWATCH_BENCH_MIRROR_FULL_PROFILE=FILE
// writes one of that first full build alone (FILE.2 of the second, with
// -benchtime 3x: the second is always faster, and why is not known yet).
func BenchmarkBuild(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("PRESSWATCH_BENCH_MIRROR_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	storetest.SeedPublic(b, db, n, 7)
	svc := editorial.New(db, db, db, db, db, nil)
	svc.SetPasswordParams(editorial.PasswordParams{Time: 1, Memory: 64, Threads: 1})
	for _, u := range [][2]string{{"editor@demo.invalid", domain.RoleEditor}, {"reviewer@demo.invalid", domain.RoleReviewer}} {
		if _, err := svc.CreateUser(ctx, nil, u[0], u[0], u[1], "a long enough password"); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("full-"+strconv.Itoa(n), func(b *testing.B) {
		if os.Getenv("PRESSWATCH_BENCH_MIRROR_SKIP_FULL") == "1" {
			b.Skip("PRESSWATCH_BENCH_MIRROR_SKIP_FULL=1")
		}
		h, err := web.New(web.Options{Service: svc, Public: db, Sessions: db, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			syscall.Sync()
			cpu := cpuTime()
			res, err := mirror.Build(ctx, mirror.Options{Handler: h, Out: keptDir(dir), Version: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(res.Rendered), "pages")
			b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
		}
	})
	b.Run("incremental-"+strconv.Itoa(n), func(b *testing.B) {
		in := mustWire(b, db, svc, dir)
		out := keptDir(dir)
		// The seeded database (some 1 GB) is still being written back
		// to disk: let it land before the build is timed, as it would
		// have long before a real build.
		syscall.Sync()
		fullBuilds++
		file := os.Getenv("PRESSWATCH_BENCH_MIRROR_FULL_PROFILE")
		if file != "" && fullBuilds > 1 {
			file += "." + strconv.Itoa(fullBuilds) // -benchtime Nx runs this again
		}
		stopFull := startProfile(b, file)
		cpu, wall := cpuTime(), time.Now()
		first := in.MustBuild(out, false)
		stopFull()
		b.Logf("first (full) build: %.1f CPU-s, %.1f s wall, %d files", (cpuTime() - cpu).Seconds(), time.Since(wall).Seconds(), first.Files)
		if file := os.Getenv("PRESSWATCH_BENCH_MIRROR_INCR_PROFILE"); file != "" {
			f, err := os.Create(file)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.StopTimer()
			if err := pprof.StartCPUProfile(f); err != nil {
				b.Fatal(err)
			}
			defer pprof.StopCPUProfile()
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			// A new incident: dated after every seeded one (the
			// list's blocks, counted from the oldest, stay put).
			in.MustPublishOn("Benchmark incident "+strconv.Itoa(i), "2026-01-05")
			// `presswatch mirror build` runs in a process of its own:
			// give back the full build's heap first, or the timed build
			// pays for returning it to the system (2 CPU-s at 100,000).
			// It also opens the store afresh: its caches (the in-memory
			// index of the record, the frequent words) start cold.
			cold := coldInstance(b, filepath.Join(dir, "bench.db"), dir)
			debug.FreeOSMemory()
			syscall.Sync() // the previous build's files, on disk first
			b.StartTimer()
			cpu := cpuTime()
			res, err := mirror.Build(ctx, mirror.Options{Handler: cold.handler, Log: cold.log, Out: out,
				Origin: in.canary.URL, Version: "test"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(res.Rendered), "pages")
			b.ReportMetric(float64(len(res.Written)), "written")
			b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
			if res.Full {
				b.Fatal("the rebuild after one publication was full")
			}
			b.StopTimer()
			cold.db.Close()
			b.StartTimer()
		}
		// Not timed: an incident dated in the middle of the record moves
		// every block of its lists from its place up.
		b.StopTimer()
		pprof.StopCPUProfile() // the profile is of the timed builds alone
		in.MustPublishOn("Benchmark incident from the archive", "2020-06-15")
		debug.FreeOSMemory()
		cpu, wall = cpuTime(), time.Now()
		res := in.MustBuild(out, false)
		b.Logf("after a backfilled incident (2020-06-15): %.1f CPU-s, %.1f s wall, %d rendered, %d written",
			(cpuTime() - cpu).Seconds(), time.Since(wall).Seconds(), res.Rendered, len(res.Written))
	})
}

// keptDir is a new folder under dir for a mirror, removed with dir when
// the whole benchmark ends, not when one of go test's passes over a
// sub-benchmark does (b.TempDir). On a file system without a journal (the
// benchmark machine's ext4) the kernel steps over every inode freed in the
// last one to six minutes when it allocates one (recently_deleted): the
// full build that followed the removal of the previous pass's 455,000
// files paid 50–100 µs more per file, which no real build pays
// (bench/mirror.md, phase 9). Start a run at least six minutes after the
// previous one's files were removed, too.
func keptDir(dir string) string {
	keptDirs++
	return filepath.Join(dir, "mirror-"+strconv.Itoa(keptDirs))
}

var keptDirs int

// coldInstance wires an instance over a store opened anew on the
// database at file, as a `presswatch mirror build` process has it.
func coldInstance(b *testing.B, file, dir string) *instance {
	db, err := store.Open(context.Background(), file)
	if err != nil {
		b.Fatal(err)
	}
	svc := editorial.New(db, db, db, db, db, nil)
	return mustWire(b, db, svc, dir)
}

// fullBuilds counts the incremental sub-benchmark's first builds: go test
// runs it once with b.N 1, then again with the -benchtime count.
var fullBuilds int

// startProfile writes a CPU profile to file (none when it is empty) until
// the returned function is called.
func startProfile(b *testing.B, file string) func() {
	if file == "" {
		return func() {}
	}
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

package store

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// Migrations are embedded per engine as NNNN_name.sql. Number ranges belong
// to teams: 0001–0009 foundation, 0010–0019 evidence, 0020–0029 log,
// 0030–0039 intake, 0040–0049 monitor, 0050–0059 stories, 0060–0069 mirror.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the engine's embedded migrations in version order.
func Migrations(engine string) ([]Migration, error) {
	dir := "migrations/" + engine
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s: name must start with a number such as 0001_", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", prev, name, v)
		}
		seen[v] = name
		b, err := migrationFS.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// migrationLock is the PostgreSQL advisory lock key that serialises
// concurrent migrators (several processes starting at once).
const migrationLock = 7_073_650_001

func (d *DB) createMigrationsTable(ctx context.Context, tx *Tx) error {
	q := "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
	if d.dialect.IsPostgres() {
		q = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
	}
	_, err := tx.Raw().ExecContext(ctx, q)
	return err
}

// Migrate applies every embedded migration not yet recorded in
// schema_migrations, in version order, each in its own transaction, then
// seeds the default vocabularies into an empty vocab_terms table.
func (d *DB) Migrate(ctx context.Context) error {
	ms, err := Migrations(d.dialect.Engine)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := d.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	if err := d.seedVocab(ctx); err != nil {
		return err
	}
	return d.Optimize(ctx)
}

// Optimize refreshes the query planner's statistics (SQLite: PRAGMA
// optimize, which analyzes what changed; PostgreSQL: ANALYZE). Migrate and
// SeedPublic call it; serve may call it daily. Without statistics SQLite
// picks slow plans for facets on large tables.
func (d *DB) Optimize(ctx context.Context) error {
	q := "PRAGMA optimize=0x10002"
	if d.dialect.IsPostgres() {
		q = "ANALYZE"
	}
	if _, err := d.write.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}

func (d *DB) applyMigration(ctx context.Context, m Migration) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.dialect.IsPostgres() {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrationLock)); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
	}
	if err := d.createMigrationsTable(ctx, tx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.Raw().ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("store: migration %s: %w", m.Name, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.Version, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: migration %s: record: %w", m.Name, err)
	}
	return tx.Commit()
}

// appliedVersions returns the recorded migration versions (none if the
// table does not exist yet).
func (d *DB) appliedVersions(ctx context.Context) ([]int, error) {
	var exists bool
	if d.dialect.IsPostgres() {
		var reg *string
		if err := d.read.QueryRowContext(ctx, "SELECT to_regclass('schema_migrations')::text").Scan(&reg); err != nil {
			return nil, fmt.Errorf("store: schema version: %w", err)
		}
		exists = reg != nil
	} else {
		var n int
		if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&n); err != nil {
			return nil, fmt.Errorf("store: schema version: %w", err)
		}
		exists = n > 0
	}
	if !exists {
		return nil, nil
	}
	rows, err := d.read.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("store: schema version: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: schema version: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SchemaVersion returns the highest applied migration and the highest this
// binary embeds.
func (d *DB) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	applied, err := d.appliedVersions(ctx)
	if err != nil {
		return 0, 0, err
	}
	ms, err := Migrations(d.dialect.Engine)
	if err != nil {
		return 0, 0, err
	}
	if len(applied) > 0 {
		current = applied[len(applied)-1]
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	return current, latest, nil
}

// CheckSchema returns an EUNAVAILABLE error with a sentence saying what to do
// when the database lacks a migration this binary has (run `presswatch
// migrate`) or has one this binary does not know (a newer presswatch wrote
// it).
func (d *DB) CheckSchema(ctx context.Context) error {
	applied, err := d.appliedVersions(ctx)
	if err != nil {
		return err
	}
	ms, err := Migrations(d.dialect.Engine)
	if err != nil {
		return err
	}
	have := map[int]bool{}
	for _, v := range applied {
		have[v] = true
	}
	known := map[int]bool{}
	current, latest := 0, 0
	if len(applied) > 0 {
		current = applied[len(applied)-1]
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	for _, m := range ms {
		known[m.Version] = true
	}
	for _, v := range applied {
		if !known[v] {
			return domain.Errorf(domain.EUNAVAILABLE,
				"the database schema is at version %d, newer than this presswatch knows (%d): upgrade presswatch, or use the binary that migrated this database", current, latest)
		}
	}
	for _, m := range ms {
		if !have[m.Version] {
			if len(applied) == 0 {
				return domain.Errorf(domain.EUNAVAILABLE,
					"the database is empty but this presswatch needs schema version %d: run `presswatch migrate`", latest)
			}
			return domain.Errorf(domain.EUNAVAILABLE,
				"the database schema is at version %d but this presswatch needs %d: run `presswatch migrate`", current, latest)
		}
	}
	return nil
}

// seedVocab fills an empty vocabulary table with domain.DefaultTerms.
func (d *DB) seedVocab(ctx context.Context) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM vocab_terms").Scan(&n); err != nil {
		return fmt.Errorf("store: seed vocabularies: %w", err)
	}
	if n > 0 {
		return nil
	}
	for _, t := range domain.DefaultTerms() {
		labels, _ := json.Marshal(t.Labels)
		if _, err := tx.Exec(ctx, `INSERT INTO vocab_terms (vocab, code, family, labels, sort, active) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (vocab, code) DO NOTHING`, t.Vocab, t.Code, t.Family, tx.d.JSON(labels), t.Sort, t.Active); err != nil {
			return fmt.Errorf("store: seed vocabularies: %w", err)
		}
	}
	return tx.Commit()
}

// Analyze rebuilds the planner's statistics of every table (ANALYZE on both
// engines) and merges the full-text index (OptimizeSearch); run it after
// bulk loads such as SeedPublic or an import.
func (d *DB) Analyze(ctx context.Context) error {
	if _, err := d.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("store: analyze: %w", err)
	}
	return d.OptimizeSearch(ctx)
}

// OptimizeSearch merges SQLite's full-text index into one b-tree (FTS5
// 'optimize'). Every publication adds a small segment and FTS5 merges them
// only in part, so a record published over months, or bulk-loaded, keeps
// many: each search then looks every word up in each. At 1,000,000
// incidents merging took 4.5 s (sqlite3; it holds the write lock) and made
// the snippets of a result page 12× and counting a common word's matches
// 20 % cheaper (docs/bench/perf.md). serve runs it daily; PostgreSQL needs
// nothing (GIN indexes merge their pending list themselves).
func (d *DB) OptimizeSearch(ctx context.Context) error {
	if d.dialect.IsPostgres() {
		return nil
	}
	if _, err := d.write.ExecContext(ctx, "INSERT INTO public_fts(public_fts) VALUES('optimize')"); err != nil {
		return fmt.Errorf("store: optimize search index: %w", err)
	}
	return nil
}

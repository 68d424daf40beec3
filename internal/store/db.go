package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/presswatch/presswatch/internal/domain"
)

// This file holds the helpers every file of package store uses: opening the
// database, write transactions that carry one "now", read queries on the
// reader pool, placeholder rebinding and driver-error translation. Other
// teams adding files to this package (capture.go, log.go, …) use these and
// nothing engine-specific; see docs/storage.md.

// DB is presswatch's database. On SQLite it holds one writer connection and a
// pool of read-only readers; on PostgreSQL both are the same pool.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect Dialect
	where   string // the database's location, without secrets, for messages

	// Now is the clock every write transaction reads once. Tests replace it.
	Now domain.Clock

	cache publicCache

	csvFill sync.Mutex // one FillPublicCSV at a time (export_csv.go)
	// saving counts the saves of the public index under way
	// (pubindex_saved.go): Close waits for them.
	saving sync.WaitGroup
}

// Open opens the database named by databaseURL: "postgres://…" or
// "postgresql://…" selects PostgreSQL; "sqlite:///abs/path.db" or a plain file
// path selects SQLite (the folder is created if needed). It does not migrate:
// call Migrate or CheckSchema. Failures to reach or write the database are
// EUNAVAILABLE errors whose message says what to do.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(ctx, databaseURL)
	case strings.HasPrefix(databaseURL, "sqlite://"):
		return openSQLite(ctx, strings.TrimPrefix(databaseURL, "sqlite://"))
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(databaseURL, "sqlite:"))
	case databaseURL == "":
		return nil, domain.Errorf(domain.EINVALID, "No database given: use --database with a postgres:// URL or a SQLite file path.")
	case strings.Contains(databaseURL, "://"):
		return nil, domain.Errorf(domain.EINVALID, "Unknown database URL scheme in %q: use postgres://… or sqlite:///path/presswatch.db.", redact(databaseURL))
	}
	return openSQLite(ctx, databaseURL)
}

func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "secure_delete(1)")
	// Temporary tables and sort spills stay in memory: nothing a query
	// touches is written to the temp folder (SECURITY.md check 2).
	q.Add("_pragma", "temp_store(2)")
	if writer {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, domain.Errorf(domain.EINVALID, "No SQLite file given: use --database sqlite:///path/presswatch.db.")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	unwritable := domain.Errorf(domain.EUNAVAILABLE,
		"presswatch cannot write to the database %s: make sure its folder exists and is writable by this user, or choose another with --data or --database.", abs)
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: create folder: %w (%w)", unwritable, err)
	}
	w, err := sql.Open("sqlite", sqliteDSN(abs, true))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// A write proves the folder and file are writable (journal_mode=WAL
	// alone succeeds on an existing read-only WAL file).
	if _, err := w.ExecContext(ctx, "PRAGMA user_version = 0"); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w (%w)", abs, unwritable, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(abs, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	n := runtime.GOMAXPROCS(0) * 2
	if n < 4 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open sqlite readers %s: %w (%w)", abs, unwritable, err)
	}
	return &DB{write: w, read: r, dialect: Dialect{Engine: EngineSQLite}, where: abs, Now: time.Now}, nil
}

func openPostgres(ctx context.Context, u string) (*DB, error) {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w (%w)", domain.Errorf(domain.EINVALID,
			"The PostgreSQL URL %s is not valid: use postgres://user@host:5432/dbname.", redact(u)), err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: ping postgres: %w (%w)", domain.Errorf(domain.EUNAVAILABLE,
			"presswatch cannot reach the PostgreSQL database %s: check --database and that PostgreSQL is running and accepts this user.", redact(u)), err)
	}
	return &DB{write: db, read: db, dialect: Dialect{Engine: EnginePostgres}, where: redact(u), Now: time.Now}, nil
}

// redact removes the password from a database URL.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	if p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "xxxxx")
		}
	}
	p.RawQuery = ""
	return p.String()
}

// Close closes every connection.
func (d *DB) Close() error {
	d.saving.Wait()
	err := d.write.Close()
	if d.read != d.write {
		if e := d.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers (for /healthz).
func (d *DB) Ping(ctx context.Context) error {
	if err := d.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w (%w)", domain.Errorf(domain.EUNAVAILABLE, "The database does not answer."), err)
	}
	var one int
	if err := d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w (%w)", domain.Errorf(domain.EUNAVAILABLE, "The database does not answer."), err)
	}
	return nil
}

// Engine returns "sqlite" or "postgres".
func (d *DB) Engine() string { return d.dialect.Engine }

// Dialect returns the engine's dialect helpers.
func (d *DB) Dialect() Dialect { return d.dialect }

// WriterDB returns the raw writer pool (one connection on SQLite). Use it
// only for libraries that need a *sql.DB (job queues); never hold its
// connection while calling a DB method, or SQLite writes will wait forever.
func (d *DB) WriterDB() *sql.DB { return d.write }

// ReaderDB returns the raw read pool (read-only connections on SQLite).
func (d *DB) ReaderDB() *sql.DB { return d.read }

func (d *DB) now() time.Time {
	// Both engines keep microseconds (PostgreSQL's precision).
	if d.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return d.Now().UTC().Truncate(time.Microsecond)
}

// Querier runs SQL written with ? placeholders on either engine. *Tx and the
// reader returned by DB.Reader implement it.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Tx is a write transaction carrying the one "now" of its use case. Write
// SQL with ? placeholders; Tx rebinds them for the engine.
type Tx struct {
	tx  *sql.Tx
	d   Dialect
	Now time.Time
}

// Begin starts a write transaction. On SQLite it takes the write lock at
// once (BEGIN IMMEDIATE through the single writer connection), so writers
// queue instead of failing with SQLITE_BUSY. Always `defer tx.Rollback()`.
func (d *DB) Begin(ctx context.Context) (*Tx, error) {
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", TranslateError(err))
	}
	return &Tx{tx: tx, d: d.dialect, Now: d.now()}, nil
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r, err := tx.tx.ExecContext(ctx, tx.d.Rebind(query), args...)
	return r, TranslateError(err)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r, err := tx.tx.QueryContext(ctx, tx.d.Rebind(query), args...)
	return r, TranslateError(err)
}

// QueryRow runs a query returning at most one row in the transaction.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.d.Rebind(query), args...)
}

// Dialect returns the engine's dialect helpers.
func (tx *Tx) Dialect() Dialect { return tx.d }

// Commit commits; its error is never to be ignored.
func (tx *Tx) Commit() error {
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", TranslateError(err))
	}
	return nil
}

// Rollback rolls back; after Commit it does nothing.
func (tx *Tx) Rollback() error {
	if err := tx.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("store: rollback: %w", err)
	}
	return nil
}

// Raw returns the underlying *sql.Tx (rebinding is then up to the caller).
func (tx *Tx) Raw() *sql.Tx { return tx.tx }

type reader struct {
	db *sql.DB
	d  Dialect
}

// Reader returns a Querier on the read pool (read-only on SQLite). Each call
// is its own implicit transaction; use ReadTx for a consistent snapshot.
func (d *DB) Reader() Querier { return reader{d.read, d.dialect} }

func (r reader) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := r.db.ExecContext(ctx, r.d.Rebind(query), args...)
	return res, TranslateError(err)
}

func (r reader) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := r.db.QueryContext(ctx, r.d.Rebind(query), args...)
	return rows, TranslateError(err)
}

func (r reader) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return r.db.QueryRowContext(ctx, r.d.Rebind(query), args...)
}

func (r reader) Dialect() Dialect { return r.d }

// ReadTx starts a read transaction on the read pool: every query in it sees
// the same snapshot. Roll it back when done.
func (d *DB) ReadTx(ctx context.Context) (*Tx, error) {
	tx, err := d.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin read: %w", TranslateError(err))
	}
	return &Tx{tx: tx, d: d.dialect, Now: d.now()}, nil
}

// TranslateError turns driver errors into domain errors at the store
// boundary: unique violations are ECONFLICT, foreign-key violations EINVALID,
// busy or serialization failures EUNAVAILABLE. The driver error stays in the
// chain for logs. sql.ErrNoRows and nil pass through unchanged.
func TranslateError(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if domain.ErrorCode(err) != domain.EINTERNAL {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w (%w)", errConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w (%w)", errDangling, err)
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w (%w)", errBusy, err)
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w (%w)", errConflict, err)
		case "23503":
			return fmt.Errorf("%w (%w)", errDangling, err)
		case "40001", "40P01", "55P03":
			return fmt.Errorf("%w (%w)", errBusy, err)
		}
	}
	return err
}

var (
	errConflict = domain.Errorf(domain.ECONFLICT, "This already exists.")
	errDangling = domain.Errorf(domain.EINVALID, "This refers to something that does not exist.")
	errBusy     = domain.Errorf(domain.EUNAVAILABLE, "The database is busy; try again in a moment.")
)

// notFound returns an ENOTFOUND error naming what is missing.
func notFound(what string) error {
	return domain.Errorf(domain.ENOTFOUND, "%s not found.", what)
}

// TimeScanner scans a time stored by either engine (timestamptz or RFC 3339
// text) into *T, as UTC.
type TimeScanner struct{ T *time.Time }

// Scan implements sql.Scanner.
func (s TimeScanner) Scan(v any) error {
	t, ok, err := parseTimeValue(v)
	if err != nil {
		return err
	}
	if !ok {
		*s.T = time.Time{}
		return nil
	}
	*s.T = t
	return nil
}

// NullTimeScanner scans a nullable time into **T (nil for NULL).
type NullTimeScanner struct{ T **time.Time }

// Scan implements sql.Scanner.
func (s NullTimeScanner) Scan(v any) error {
	t, ok, err := parseTimeValue(v)
	if err != nil {
		return err
	}
	if !ok {
		*s.T = nil
		return nil
	}
	*s.T = &t
	return nil
}

func parseTimeValue(v any) (time.Time, bool, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return x.UTC(), true, nil
	case string:
		return parseTimeText(x)
	case []byte:
		return parseTimeText(string(x))
	}
	return time.Time{}, false, fmt.Errorf("store: cannot scan %T as a time", v)
}

func parseTimeText(s string) (time.Time, bool, error) {
	if s == "" {
		return time.Time{}, false, nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("store: cannot parse time %q", s)
}

// queryList runs a query on q and scans every row with scan. what names the
// list in errors ("store: <what>: …").
func queryList[T any](ctx context.Context, q Querier, what, query string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, TranslateError(err))
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, TranslateError(err))
		}
		out = append(out, v)
	}
	return out, TranslateError(rows.Err())
}

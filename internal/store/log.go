package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
)

// This file is the public log's storage (ledger.Storage) on both engines.
// log_entries holds the leaves: rows with idx NULL are the outbox, written
// by InsertLogEntry in the transaction of the change they record; the
// integrator gives them leaf indexes. log_hashes holds tlog's stored hashes,
// log_checkpoint the published checkpoint, log_content the exact bytes of
// public content whose SHA-256 an entry records.

// InsertLogEntry puts e in the log's outbox in tx, in the log's canonical
// form (ledger.Entry): e.URL, the public page of the record, becomes
// data.page. Use InsertLedgerEntry to give data.url, data.warc or
// data.incident, which `presswatch verify` uses.
func InsertLogEntry(ctx context.Context, tx *Tx, e domain.LogEntry) error {
	le := ledger.Entry{Kind: e.Kind, Ref: e.Ref, Time: e.Time, SHA256: e.SHA256}
	if e.URL != "" {
		data, err := json.Marshal(map[string]string{"page": e.URL})
		if err != nil {
			return fmt.Errorf("store: log entry: %w", err)
		}
		le.Data = data
	}
	return InsertLedgerEntry(ctx, tx, le)
}

// InsertLedgerEntry puts e in the log's outbox in tx: the entry is committed
// with the change it records, or not at all, and the integrator appends it
// to the tree later. Other teams call it in their own transaction, e.g. a
// capture:
//
//	store.InsertLedgerEntry(ctx, tx, ledger.Entry{Kind: ledger.KindCapture, Ref: "capture-12", Time: tx.Now,
//		SHA256: warcSHA256, Data: json.RawMessage(`{"incident":"PK-2024-0153","warc":"/captures/12.warc.gz"}`)})
//
// In data, "url" is the site-root-relative path of the bytes whose SHA-256
// is the entry's sha256, and "warc" the path of a WARC file whose SHA-256 is
// the entry's sha256 (or data.warc_sha256 when the entry's sha256 commits to
// something else, such as a manifest); `presswatch verify` fetches both
// when they are reachable and fails on a mismatch.
func InsertLedgerEntry(ctx context.Context, tx *Tx, e ledger.Entry) error {
	b, err := e.Canonical()
	if err != nil {
		return fmt.Errorf("store: log entry: %w", err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO log_entries (kind, ref, entry, created_at) VALUES (?, ?, ?, ?)",
		e.Kind, e.Ref, b, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: log entry: %w", err)
	}
	return nil
}

// InsertLogContent keeps content, served at path (site-root relative), so
// that readers can recompute the SHA-256 a log entry records. The same path
// always holds the same bytes: a second insert of a path is ignored. It
// returns the content's SHA-256 (lowercase hex).
func InsertLogContent(ctx context.Context, tx *Tx, path, ref string, content []byte) (string, error) {
	sum := sha256.Sum256(content)
	h := hex.EncodeToString(sum[:])
	if _, err := tx.Exec(ctx, `INSERT INTO log_content (path, ref, sha256, content, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (path) DO NOTHING`, path, ref, h, content, tx.d.Time(tx.Now)); err != nil {
		return "", fmt.Errorf("store: log content: %w", err)
	}
	return h, nil
}

// IncidentContentPath is where the public content of an incident with the
// given SHA-256 is served: content-addressed, so a revision, its withdrawal
// and a later republication never share a path.
func IncidentContentPath(ref, sha string) string {
	return "/incidents/" + ref + "/content/" + sha + ".json"
}

// insertLogEntry records a published or withdrawn incident: its public
// content, byte-exact (the encoding/json of the PublicIncident, whose SHA-256
// is PublicIncident.ContentHash), and the log entry committing to it.
func insertLogEntry(ctx context.Context, tx *Tx, kind string, pub *domain.PublicIncident) error {
	content, err := json.Marshal(pub)
	if err != nil {
		return fmt.Errorf("store: log entry: %w", err)
	}
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	path := IncidentContentPath(pub.Ref, sha)
	if _, err := InsertLogContent(ctx, tx, path, pub.Ref, content); err != nil {
		return err
	}
	data, err := json.Marshal(struct {
		Revision int    `json:"revision"`
		Status   string `json:"status"`
		URL      string `json:"url"`
	}{pub.Revision, pub.Status, path})
	if err != nil {
		return fmt.Errorf("store: log entry: %w", err)
	}
	return InsertLedgerEntry(ctx, tx, ledger.Entry{Kind: kind, Ref: pub.Ref, Time: tx.Now, SHA256: sha, Data: data})
}

// FindLogContent returns the content served at path (see InsertLogContent),
// ENOTFOUND when there is none.
func (d *DB) FindLogContent(ctx context.Context, path string) ([]byte, error) {
	var b []byte
	err := d.Reader().QueryRow(ctx, "SELECT content FROM log_content WHERE path = ?", path).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Content")
	} else if err != nil {
		return nil, fmt.Errorf("store: find log content: %w", TranslateError(err))
	}
	return b, nil
}

// LogContentPaths lists every path of public content, in path order (for
// static mirrors, which must copy them beside the log's tiles).
func (d *DB) LogContentPaths(ctx context.Context) ([]string, error) {
	rows, err := d.Reader().Query(ctx, "SELECT path FROM log_content ORDER BY path")
	if err != nil {
		return nil, fmt.Errorf("store: list log content: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("store: list log content: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// LogIndex returns the leaf index of the latest integrated entry whose ref
// is ref, ENOTFOUND when there is none yet.
func (d *DB) LogIndex(ctx context.Context, ref string) (int64, error) {
	var idx int64
	err := d.Reader().QueryRow(ctx, "SELECT idx FROM log_entries WHERE ref = ? AND idx IS NOT NULL ORDER BY seq DESC LIMIT 1", ref).Scan(&idx)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("Log entry")
	} else if err != nil {
		return 0, fmt.Errorf("store: log index: %w", TranslateError(err))
	}
	return idx, nil
}

// LogStorage is the log's ledger.Storage in this database.
type LogStorage struct{ d *DB }

var _ ledger.Storage = (*LogStorage)(nil)

// LogStorage returns the public log's storage in d.
func (d *DB) LogStorage() *LogStorage { return &LogStorage{d: d} }

// Size implements ledger.Storage.
func (s *LogStorage) Size(ctx context.Context) (int64, error) {
	return logSize(ctx, s.d.Reader())
}

func logSize(ctx context.Context, q Querier) (int64, error) {
	var n int64
	if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: log size: %w", TranslateError(err))
	}
	return n, nil
}

// hashChunk bounds the ids of one hash lookup; insertChunk the rows of one
// multi-row INSERT (its placeholders stay far below both engines' limits).
const (
	hashChunk   = 500
	insertChunk = 500
)

// ReadHashes implements ledger.Storage.
func (s *LogStorage) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	found := make(map[int64]tlog.Hash, len(indexes))
	for start := 0; start < len(indexes); start += hashChunk {
		part := indexes[start:min(start+hashChunk, len(indexes))]
		args := make([]any, len(part))
		for i, x := range part {
			args[i] = x
		}
		rows, err := s.d.Reader().Query(ctx, "SELECT id, hash FROM log_hashes WHERE id IN ("+placeholders(len(part))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("store: read log hashes: %w", err)
		}
		for rows.Next() {
			var id int64
			var b []byte
			if err := rows.Scan(&id, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: read log hashes: %w", err)
			}
			if len(b) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("store: log hash %d has %d bytes", id, len(b))
			}
			found[id] = tlog.Hash(b)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: read log hashes: %w", err)
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, domain.Errorf(domain.ENOTFOUND, "store: no stored log hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

// ReadEntries implements ledger.Storage.
func (s *LogStorage) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end < start {
		return nil, domain.Errorf(domain.ENOTFOUND, "store: no log entries [%d, %d)", start, end)
	}
	rows, err := s.d.Reader().Query(ctx, "SELECT idx, entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx", start, end)
	if err != nil {
		return nil, fmt.Errorf("store: read log entries: %w", err)
	}
	defer rows.Close()
	out := make([][]byte, 0, end-start)
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, fmt.Errorf("store: read log entries: %w", err)
		}
		if idx != start+int64(len(out)) {
			return nil, fmt.Errorf("store: log entry %d is missing", start+int64(len(out)))
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read log entries: %w", err)
	}
	if int64(len(out)) != end-start {
		return nil, domain.Errorf(domain.ENOTFOUND, "store: no log entries [%d, %d): the log has %d from %d", start, end, len(out), start)
	}
	return out, nil
}

// AppendBatch implements ledger.Storage: entries (or the outbox rows they
// came from), their stored hashes and the new size commit in one
// transaction. A concurrent integrator makes it fail with ECONFLICT: the
// size check, the outbox rows' "idx IS NULL" condition and the unique
// indexes on idx and on the hashes' ids each catch the race.
func (s *LogStorage) AppendBatch(ctx context.Context, b ledger.Batch) error {
	want := tlog.StoredHashCount(b.Start+int64(len(b.Entries))) - tlog.StoredHashCount(b.Start)
	if int64(len(b.Hashes)) != want {
		return fmt.Errorf("store: log batch has %d stored hashes, want %d", len(b.Hashes), want)
	}
	if len(b.Outbox) > 0 && len(b.Outbox) != len(b.Entries) {
		return fmt.Errorf("store: log batch has %d outbox rows for %d entries", len(b.Outbox), len(b.Entries))
	}
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	size, err := logSize(ctx, tx)
	if err != nil {
		return err
	}
	if size != b.Start {
		return domain.Errorf(domain.ECONFLICT, "store: log batch starts at %d but the log has %d entries", b.Start, size)
	}
	if len(b.Outbox) > 0 {
		if err := integrateOutbox(ctx, tx, b.Start, b.Outbox); err != nil {
			return err
		}
	} else if err := insertLeaves(ctx, tx, b.Start, b.Entries); err != nil {
		return err
	}
	base := tlog.StoredHashCount(b.Start)
	err = bulkInsert(ctx, tx, "log_hashes (id, hash)", 2, len(b.Hashes), insertChunk, func(i int, args []any) []any {
		return append(args, base+int64(i), b.Hashes[i][:])
	})
	if err != nil {
		return fmt.Errorf("store: append log hashes: %w", err)
	}
	return tx.Commit()
}

// integrateOutbox gives outbox rows ids[i] the leaf index start+i, one
// UPDATE per run of consecutive ids, and fails with ECONFLICT when a row is
// gone or already integrated.
func integrateOutbox(ctx context.Context, tx *Tx, start int64, ids []int64) error {
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 {
			j++
		}
		res, err := tx.Exec(ctx, "UPDATE log_entries SET idx = seq + ? WHERE seq >= ? AND seq <= ? AND idx IS NULL",
			start+int64(i)-ids[i], ids[i], ids[j-1])
		if err != nil {
			return fmt.Errorf("store: integrate log outbox: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: integrate log outbox: %w", err)
		} else if n != int64(j-i) {
			return domain.Errorf(domain.ECONFLICT, "store: log outbox rows %d–%d are gone (another integrator took them)", ids[i], ids[j-1])
		}
		i = j
	}
	return nil
}

// insertVerb starts the log's bulk inserts. On SQLite, INSERT OR ROLLBACK
// ends the whole transaction on a constraint failure (a concurrent
// integrator: the batch is abandoned anyway), so SQLite needs no statement
// journal for these multi-row statements: about a third of the time of a
// direct append went to writing that journal.
func insertVerb(tx *Tx) string {
	if tx.d.Engine == EngineSQLite {
		return "INSERT OR ROLLBACK INTO"
	}
	return "INSERT INTO"
}

// insertLeaves appends entries that did not come through the outbox (put
// back from public tiles, or appended directly by tools and tests).
func insertLeaves(ctx context.Context, tx *Tx, start int64, entries [][]byte) error {
	now := tx.d.Time(tx.Now)
	err := bulkInsert(ctx, tx, "log_entries (idx, kind, ref, entry, created_at)", 5, len(entries), 200, func(i int, args []any) []any {
		kind, ref := entryHead(entries[i])
		return append(args, start+int64(i), kind, ref, entries[i], now)
	})
	if err != nil {
		return fmt.Errorf("store: append log entries: %w", err)
	}
	return nil
}

// bulkInsert inserts n rows of width columns into table (with its column
// list) in multi-row statements of at most chunk rows; row appends row i's
// values to args. Full chunks reuse one prepared statement, so SQLite parses
// a long statement once per batch rather than once per chunk.
func bulkInsert(ctx context.Context, tx *Tx, table string, width, n, chunk int, row func(i int, args []any) []any) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	query := func(rows int) string {
		return tx.d.Rebind(insertVerb(tx) + " " + table + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", "))
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, width*min(chunk, n))
	for k := 0; k < n; k += chunk {
		m := min(chunk, n-k)
		args = args[:0]
		for i := k; i < k+m; i++ {
			args = row(i, args)
		}
		var err error
		if m == chunk && n >= 2*chunk {
			if full == nil {
				if full, err = tx.Raw().PrepareContext(ctx, query(chunk)); err != nil {
					return TranslateError(err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.Raw().ExecContext(ctx, query(m), args...)
		}
		if err != nil {
			return TranslateError(err)
		}
	}
	return nil
}

// entryHead returns the kind and ref of a canonical entry (keys sorted:
// data, kind, ref, …) without decoding it, falling back to encoding/json
// for anything unusual. The columns are for lookups only.
func entryHead(e []byte) (kind, ref string) {
	rest, ok := skipData(e)
	if ok {
		if kind, rest, ok = plainString(rest, `"kind":"`); ok && len(rest) > 0 && rest[0] == ',' {
			if ref, _, ok = plainString(rest[1:], `"ref":"`); ok {
				return kind, ref
			}
		}
	}
	var head struct{ Kind, Ref string }
	json.Unmarshal(e, &head) // best effort
	return head.Kind, head.Ref
}

// skipData skips `{` and an optional leading "data" object with its comma.
func skipData(e []byte) ([]byte, bool) {
	if len(e) == 0 || e[0] != '{' {
		return nil, false
	}
	e = e[1:]
	const key = `"data":{`
	if !bytes.HasPrefix(e, []byte(key)) {
		return e, true
	}
	depth, inString := 1, false
	for i := len(key); i < len(e); i++ {
		c := e[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				if i+1 < len(e) && e[i+1] == ',' {
					return e[i+2:], true
				}
				return nil, false
			}
		}
	}
	return nil, false
}

// plainString reads `prefix` then a string without escapes up to its quote.
func plainString(e []byte, prefix string) (string, []byte, bool) {
	if !bytes.HasPrefix(e, []byte(prefix)) {
		return "", nil, false
	}
	e = e[len(prefix):]
	end := bytes.IndexByte(e, '"')
	if end < 0 || bytes.IndexByte(e[:end], '\\') >= 0 {
		return "", nil, false
	}
	return string(e[:end]), e[end+1:], true
}

// ReadOutbox implements ledger.Storage.
func (s *LogStorage) ReadOutbox(ctx context.Context, limit int) ([]ledger.OutboxEntry, error) {
	rows, err := s.d.Reader().Query(ctx, "SELECT seq, entry FROM log_entries WHERE idx IS NULL ORDER BY seq LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("store: read log outbox: %w", err)
	}
	defer rows.Close()
	var out []ledger.OutboxEntry
	for rows.Next() {
		var e ledger.OutboxEntry
		if err := rows.Scan(&e.ID, &e.Entry); err != nil {
			return nil, fmt.Errorf("store: read log outbox: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// OutboxLen returns how many entries wait in the outbox.
func (s *LogStorage) OutboxLen(ctx context.Context) (int64, error) {
	var n int64
	if err := s.d.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM log_entries WHERE idx IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: log outbox: %w", TranslateError(err))
	}
	return n, nil
}

// ReadCheckpoint implements ledger.Storage.
func (s *LogStorage) ReadCheckpoint(ctx context.Context) ([]byte, error) {
	var b []byte
	err := s.d.Reader().QueryRow(ctx, "SELECT note FROM log_checkpoint WHERE id = 1").Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "store: no log checkpoint has been published yet")
	} else if err != nil {
		return nil, fmt.Errorf("store: read log checkpoint: %w", TranslateError(err))
	}
	return b, nil
}

// WriteCheckpoint implements ledger.Storage.
func (s *LogStorage) WriteCheckpoint(ctx context.Context, note []byte) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `INSERT INTO log_checkpoint (id, note, updated_at) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at`, note, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: write log checkpoint: %w", err)
	}
	return tx.Commit()
}

// DB returns the database the storage lives in.
func (s *LogStorage) DB() *DB { return s.d }

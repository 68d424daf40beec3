package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A process that opens the store builds the in-memory index from the
// published record: at 100,000 incidents on SQLite that is 1.3–1.4 s and
// 1.8 CPU-s, paid again by every `presswatch mirror build` and every
// restart. The index is a function of the published record at one
// generation, and an index of an older generation is brought up to date
// from public_changes (updateIndex), so the store keeps a copy of the
// index in the database itself (public_index_saved, migration 0081) and a
// new process starts from it. The copy travels with the data it
// describes (a backup, a copied SQLite file); it is only a cache: a copy
// of another encoding, of a generation public_changes no longer covers, or
// whose rows do not add up is ignored and the index is read afresh.

// savedIndexFormat is the encoding of a saved index, and what the index
// means: bump it whenever pubRow, the dictionaries, statsCodes or the SQL
// the index is read with change, so that a copy saved by an older program
// is not used.
const savedIndexFormat = 1

// savedIndexMinRows is the smallest index worth saving: below it reading
// the record is about as quick as reading the copy.
var savedIndexMinRows = 20_000

// savedIndexRefresh is how many generations a process brings a saved copy
// forward before it saves the result, so that the updates of every new
// process stay small.
const savedIndexRefresh = 500

// loadSavedIndex returns the saved index brought up to generation gen in
// tx's snapshot; nil (and no error) when there is none worth using. The
// second result is the saved copy's generation.
func (d *DB) loadSavedIndex(ctx context.Context, tx *Tx, gen int64) (*pubIndex, int64, error) {
	var format, savedGen int64
	var data []byte
	err := tx.QueryRow(ctx, "SELECT format, gen, data FROM public_index_saved WHERE id = 1").Scan(&format, &savedGen, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: saved public index: %w", TranslateError(err))
	}
	if format != savedIndexFormat || savedGen > gen || gen-savedGen > indexChangeLimit {
		return nil, 0, nil
	}
	idx, ok := decodeIndex(data)
	if !ok || idx.gen != savedGen {
		return nil, 0, nil
	}
	if savedGen < gen {
		if idx, err = d.updateIndex(ctx, tx, idx, gen); err != nil || idx == nil {
			return nil, 0, err
		}
	}
	// A last check that the copy describes this record: as many rows as
	// are published now.
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM public_incidents WHERE status = 'published'").Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("store: saved public index: %w", TranslateError(err))
	}
	if n != len(idx.rows) {
		return nil, 0, nil
	}
	return idx, savedGen, nil
}

// saveIndex stores idx as the saved copy unless the one there is as new,
// in the background: the caller may hold the database's one writer (SQLite)
// or be in a hurry. Close waits for it.
func (d *DB) saveIndex(idx *pubIndex) {
	if len(idx.rows) < savedIndexMinRows {
		return
	}
	d.saving.Add(1)
	go func() {
		defer d.saving.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// A failure costs the next process a full read, nothing else.
		d.write.ExecContext(ctx, d.dialect.Rebind(
			"INSERT INTO public_index_saved (id, format, gen, data) VALUES (1, ?, ?, ?) "+
				"ON CONFLICT (id) DO UPDATE SET format = excluded.format, gen = excluded.gen, data = excluded.data "+
				"WHERE excluded.gen > public_index_saved.gen OR excluded.format <> public_index_saved.format"),
			savedIndexFormat, idx.gen, encodeIndex(idx))
	}()
}

// encodeIndex writes idx as decodeIndex reads it: the generation, the two
// dictionaries, the rows and the codes, little-endian and varints.
func encodeIndex(idx *pubIndex) []byte {
	b := make([]byte, 0, 64+len(idx.rows)*40+len(idx.terms)*2)
	b = binary.AppendVarint(b, idx.gen)
	b = binary.AppendVarint(b, idx.maxID)
	stats := byte(0)
	if idx.noStats {
		stats = 1
	}
	b = append(b, stats)
	for _, dict := range []*pubDict{idx.dict, idx.sdict} {
		b = binary.AppendUvarint(b, uint64(len(dict.names)))
		for _, n := range dict.names {
			for _, s := range n {
				b = binary.AppendUvarint(b, uint64(len(s)))
				b = append(b, s...)
			}
		}
	}
	b = binary.AppendUvarint(b, uint64(len(idx.rows)))
	for _, r := range idx.rows {
		b = binary.AppendVarint(b, r.id)
		b = binary.LittleEndian.AppendUint32(b, r.date)
		b = binary.LittleEndian.AppendUint32(b, r.persons)
		b = binary.LittleEndian.AppendUint32(b, r.toff)
		for _, v := range []uint16{r.year, r.country, r.admin1, r.verif, r.tn, r.sn} {
			b = binary.LittleEndian.AppendUint16(b, v)
		}
		demo := byte(0)
		if r.demo {
			demo = 1
		}
		b = append(b, r.month, demo)
	}
	b = binary.AppendUvarint(b, uint64(len(idx.terms)))
	for _, c := range idx.terms {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// decodeIndex reads what encodeIndex wrote; ok is false for anything else,
// or for codes that point outside the dictionaries and terms.
func decodeIndex(b []byte) (idx *pubIndex, ok bool) {
	bad := false
	varint := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	uvarint := func(limit uint64) int {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > limit {
			bad = true
			return 0
		}
		b = b[n:]
		return int(v)
	}
	fixed := func(n int) []byte {
		if bad || len(b) < n {
			bad = true
			return make([]byte, n)
		}
		out := b[:n]
		b = b[n:]
		return out
	}
	idx = &pubIndex{gen: varint(), maxID: varint()}
	idx.noStats = fixed(1)[0] == 1
	dicts := make([]*pubDict, 2)
	for i := range dicts {
		n := uvarint(1<<16 - 1)
		dict := &pubDict{codes: make(map[string]uint16, n), names: make([][2]string, 0, n)}
		for c := 0; c < n && !bad; c++ {
			var name [2]string
			for k := range name {
				name[k] = string(fixed(uvarint(uint64(len(b)))))
			}
			dict.codes[name[0]+"="+name[1]] = uint16(c)
			dict.names = append(dict.names, name)
		}
		if len(dict.codes) != len(dict.names) {
			return nil, false // a name twice
		}
		dicts[i] = dict
	}
	idx.dict, idx.sdict = dicts[0], dicts[1]
	rows := uvarint(uint64(len(b)) / 27) // a row is at least 27 bytes
	idx.rows = make([]pubRow, 0, rows)
	for range rows {
		if bad {
			return nil, false
		}
		r := pubRow{id: varint()}
		f := fixed(4 + 4 + 4 + 6*2 + 2)
		r.date = binary.LittleEndian.Uint32(f)
		r.persons = binary.LittleEndian.Uint32(f[4:])
		r.toff = binary.LittleEndian.Uint32(f[8:])
		v := f[12:]
		r.year, r.country, r.admin1, r.verif, r.tn, r.sn = le16(v, 0), le16(v, 1), le16(v, 2), le16(v, 3), le16(v, 4), le16(v, 5)
		r.month, r.demo = f[24], f[25] == 1
		idx.rows = append(idx.rows, r)
	}
	n := uvarint(uint64(len(b)) / 2)
	codes := fixed(2 * n)
	if bad || len(b) != 0 {
		return nil, false
	}
	idx.terms = make([]uint16, n)
	for i := range idx.terms {
		idx.terms[i] = binary.LittleEndian.Uint16(codes[2*i:])
	}
	// Every row's codes within the terms and the dictionaries.
	for _, r := range idx.rows {
		end := uint64(r.toff) + uint64(r.tn) + uint64(r.sn)
		if end > uint64(len(idx.terms)) || int(r.country) >= len(idx.dict.names) || int(r.admin1) >= len(idx.dict.names) ||
			int(r.verif) >= len(idx.dict.names) || r.id > idx.maxID {
			return nil, false
		}
		for _, c := range idx.terms[r.toff : uint64(r.toff)+uint64(r.tn)] {
			if int(c) >= len(idx.dict.names) {
				return nil, false
			}
		}
		for _, c := range idx.terms[uint64(r.toff)+uint64(r.tn) : end] {
			if int(c) >= len(idx.sdict.names) {
				return nil, false
			}
		}
	}
	for _, d := range []*pubDict{idx.dict, idx.sdict} {
		for _, n := range d.names {
			if strings.Contains(n[0], "=") {
				return nil, false
			}
		}
	}
	return idx, true
}

func le16(b []byte, i int) uint16 { return binary.LittleEndian.Uint16(b[2*i:]) }

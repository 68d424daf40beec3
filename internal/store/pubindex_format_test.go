package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// savedIndexFingerprint is the SHA-256 of the index of a fixed record, as
// the store saves it, at format fingerprintFormat. When a change to the
// index (its rows, dictionaries, statistics codes or SQL) moves it, a copy
// saved by the previous program means something else: bump
// savedIndexFormat in pubindex_saved.go, then put the new fingerprint and
// format here.
const (
	savedIndexFingerprint = "acf0c80d1d108b5f4e2821f32aa7fecf341edbcded61c62b64c0c5120ff45834"
	fingerprintFormat     = 1
)

func TestSavedIndexFormatIsBumped(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	defer store.SetSavedIndexMinRows(0)()
	storetest.SeedPublic(t, db, 300, 42)
	if err := db.WarmPublic(ctx); err != nil {
		t.Fatal(err)
	}
	store.WaitIndexSaved(db)
	var format int64
	var data []byte
	if err := db.Reader().QueryRow(ctx, "SELECT format, data FROM public_index_saved WHERE id = 1").Scan(&format, &data); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != savedIndexFingerprint || format != fingerprintFormat {
		t.Errorf("the saved index of a fixed record is %s at format %d; the test knows %s at format %d.\n"+
			"If the index changed, bump savedIndexFormat, then update savedIndexFingerprint and fingerprintFormat.",
			got, format, savedIndexFingerprint, fingerprintFormat)
	}
}

package store_test

import (
	"testing"

	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func TestContractSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.DB { return storetest.MustOpenSQLite(t) })
}

// TestContractPostgres runs when PRESSWATCH_TEST_POSTGRES holds a URL; every
// subtest gets its own schema.
func TestContractPostgres(t *testing.T) {
	storetest.PostgresURL(t) // skips without the variable
	storetest.Run(t, func(t *testing.T) *store.DB { return storetest.MustOpenPostgres(t) })
}

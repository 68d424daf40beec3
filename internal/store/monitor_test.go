package store_test

import (
	"testing"

	"github.com/presswatch/presswatch/internal/monitor"
	mstoretest "github.com/presswatch/presswatch/internal/monitor/storetest"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func TestMonitorStoreSQLite(t *testing.T) {
	mstoretest.Run(t, func(t *testing.T) monitor.Store { return storetest.MustOpenSQLite(t).Monitor() })
}

func TestMonitorStorePostgres(t *testing.T) {
	if !storetest.PostgresEnabled() {
		t.Skip("PRESSWATCH_TEST_POSTGRES is not set")
	}
	mstoretest.Run(t, func(t *testing.T) monitor.Store { return storetest.MustOpenPostgres(t).Monitor() })
}

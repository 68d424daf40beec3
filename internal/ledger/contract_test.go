package ledger_test

import (
	"testing"

	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/ledger/ledgertest"
)

func TestMemoryStorageContract(t *testing.T) {
	ledgertest.Run(t, ledgertest.Harness{
		Open: func(t *testing.T) ledger.Storage { return ledger.NewMemoryStorage() },
		Enqueue: func(t *testing.T, s ledger.Storage, entry []byte) {
			s.(*ledger.MemoryStorage).Enqueue(entry)
		},
	})
}

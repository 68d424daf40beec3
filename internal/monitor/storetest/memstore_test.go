package storetest_test

import (
	"testing"

	"github.com/presswatch/presswatch/internal/monitor"
	"github.com/presswatch/presswatch/internal/monitor/storetest"
)

func TestMemStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) monitor.Store { return monitor.NewMemStore() })
}

package intake

import (
	"io"
	"testing"

	"filippo.io/age"
)

// MustReadAll reads r to the end or fails the test.
func MustReadAll(tb testing.TB, r io.Reader) []byte {
	tb.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustIdentity generates an age X25519 identity or fails the test.
func MustIdentity(tb testing.TB) *age.X25519Identity {
	tb.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

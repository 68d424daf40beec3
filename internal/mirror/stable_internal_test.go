package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// An incident published in the same second as the export carries the
// snapshot's time string in its own columns: only the snapshot column may be
// ignored when comparing exports.
func TestStableHashIgnoresOnlyTheSnapshotColumn(t *testing.T) {
	const snap = "2026-11-29T18:09:57Z"
	a := "ref,updated_at,snapshot_at\nPK-1,2026-11-29T18:09:57Z," + snap + "\n"
	b := "ref,updated_at,snapshot_at\nPK-1,2026-11-29T18:09:57Z,2026-11-29T18:10:06Z\n"
	if stableHash([]byte(a), snap) != stableHash([]byte(b), "2026-11-29T18:10:06Z") {
		t.Error("two exports of the same data differ only by their snapshot column but hash differently")
	}
	// The same hash as earlier builds wrote to their manifests: the body
	// with the snapshot column masked.
	masked := strings.ReplaceAll(a, ","+snap+"\n", ",\x00volatile\x00\n")
	if sum := sha256.Sum256([]byte(masked)); stableHash([]byte(a), snap) != hex.EncodeToString(sum[:]) {
		t.Error("the stable hash is not the SHA-256 of the masked body")
	}
	c := "ref,updated_at,snapshot_at\nPK-1,2026-11-29T18:09:58Z," + snap + "\r\n"
	if stableHash([]byte(a), snap) == stableHash([]byte(c), snap) {
		t.Error("a changed updated_at column was ignored")
	}
}

// The build's memory limit follows the machine's memory where Linux says
// what it is, and is never under 3 GB.
func TestBuildMemoryLimit(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err == nil && physicalMemory() <= 0 {
		t.Error("physicalMemory did not read /proc/meminfo")
	}
	if l := buildMemoryLimit(); l < 3<<30 || l < physicalMemory()/4 {
		t.Errorf("memory limit %d with %d bytes of memory", l, physicalMemory())
	}
}

// raiseGC raises GOGC within a memory limit and puts both back; a higher
// GOGC is left alone.
func TestRaiseGC(t *testing.T) {
	gogc := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	restore := raiseGC()
	if gogc() != buildGCPercent || debug.SetMemoryLimit(-1) != buildMemoryLimit() {
		t.Errorf("raised: GOGC %d, limit %d", gogc(), debug.SetMemoryLimit(-1))
	}
	restore()
	if gogc() != 100 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("restored: GOGC %d, limit %d", gogc(), debug.SetMemoryLimit(-1))
	}
	debug.SetGCPercent(800)
	raiseGC()()
	if gogc() != 800 {
		t.Errorf("GOGC 800 became %d", gogc())
	}
}

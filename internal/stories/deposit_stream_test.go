package stories_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/stories"
)

// TestDepositStreamMatchesEncode holds the streamed encoding to
// Bundle.Encode: the hash logged at deposit must be the hash a release
// recomputes from the decrypted bundle.
func TestDepositStreamMatchesEncode(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef\x00\xff"), 70_000) // not a multiple of 3, binary
	cases := []struct {
		name string
		b    stories.Bundle
	}{
		{"text only", stories.Bundle{Title: "A title", Text: "Some *text*."}},
		{"byline and html", stories.Bundle{Title: "  <b>T</b> & co  ", Byline: "Ayesha", Text: "<script>x</script> \u2028 \"q\""}},
		{"invalid utf-8", stories.Bundle{Title: "bad \xff title", Text: "bad \xc3 text"}},
		{"files", stories.Bundle{Title: "T", Files: []stories.File{
			{Name: "a.pdf", MediaType: "application/pdf", Data: []byte("%PDF-1.4 hello")},
			{Name: "empty.txt", MediaType: "text/plain", Data: []byte{}},
			{Name: "big.bin", MediaType: "application/octet-stream", Data: big}}}},
		{"unicode", stories.Bundle{Title: "کہانی", Text: "कहानी 😀"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEnv(t, false)
			ctx := context.Background()
			in := depositInput(e, domain.OnSilenceAlert)
			in.Bundle = tt.b
			nd, err := e.svc.Deposit(ctx, stories.Depositor{}, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.ReadAsDepositor(ctx, stories.Depositor{Codename: nd.Codename}, nd.Deposit.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			enc, err := got.Encode()
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(enc)
			if hex.EncodeToString(sum[:]) != nd.Deposit.SHA256 || int64(len(enc)) != nd.Deposit.Size {
				t.Fatalf("logged hash %s size %d, re-encoded %x size %d", nd.Deposit.SHA256, nd.Deposit.Size, sum, len(enc))
			}
			if got.Title != strings.TrimSpace(strings.ToValidUTF8(tt.b.Title, "\uFFFD")) || len(got.Files) != len(tt.b.Files) {
				t.Fatalf("read back %+v", got)
			}
			for i, f := range tt.b.Files {
				if !bytes.Equal(got.Files[i].Data, f.Data) || got.Files[i].Name != f.Name {
					t.Fatalf("file %d differs", i)
				}
			}
			if len(tt.b.Files) == 0 && !reflect.DeepEqual(got.Files, []stories.File(nil)) {
				t.Fatalf("files %v", got.Files)
			}
		})
	}
}

func TestDepositWriterLimitsAndNames(t *testing.T) {
	dw, err := stories.NewDepositWriter("t", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := dw.AddFile(`..\..\etc/passwd`, "text/plain", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	err = dw.AddFile("huge", "", &zeros{n: stories.MaxDepositBytes})
	if domain.ErrorCode(err) != domain.ETOOLARGE {
		t.Fatalf("oversize: %v", err)
	}
	e := mustEnv(t, false)
	in := depositInput(e, domain.OnSilenceAlert)
	if _, err := e.svc.DepositSealed(context.Background(), stories.Depositor{}, in, dw); domain.ErrorCode(err) != domain.ETOOLARGE {
		t.Fatalf("sealing an oversize deposit: %v", err)
	}
	var n int
	if err := e.db.Reader().QueryRow(context.Background(), "SELECT COUNT(*) FROM deposits").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows: %v %d", err, n)
	}
}

type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

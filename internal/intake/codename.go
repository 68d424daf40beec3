package intake

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/presswatch/presswatch/internal/domain"
)

// CodenameWords is the number of words in a codename. With the 7,776-word
// list each word carries log2(7776) ≈ 12.92 bits, so a codename carries
// ≈ 90.5 bits (SECURITY.md asks for at least 88).
const CodenameWords = 7

// maxCodenameInput bounds what NormalizeCodename looks at: the longest word
// in the list has 9 letters, so 7 words fit easily.
const maxCodenameInput = 512

// Argon2id parameters for codename derivation. Chosen for ≈ 50–100 ms on one
// core of the 2-core reference machine (see docs/bench/intake.md). Changing
// them changes every stored lookup key: bump codenameSaltLabel and migrate by
// re-deriving at the next login.
const (
	CodenameArgonTime    uint32 = 1
	CodenameArgonMemory  uint32 = 64 * 1024 // KiB = 64 MiB
	CodenameArgonThreads uint8  = 1
	codenameArgonKeyLen  uint32 = 64
	codenameSaltLabel           = "presswatch/intake/codename/v1\x00"
)

// ErrInvalidCodename is wrapped by errors about a codename that is not 7
// words of the list.
var ErrInvalidCodename = errors.New("intake: invalid codename")

// CodenameEntropyBits returns the entropy of a codename made by NewCodename.
func CodenameEntropyBits() float64 {
	words, err := wordlist()
	if err != nil {
		return 0
	}
	return CodenameWords * math.Log2(float64(len(words)))
}

// NewCodename returns CodenameWords words chosen uniformly and independently
// from the list with crypto/rand, joined by single spaces.
func NewCodename() (string, error) {
	words, err := wordlist()
	if err != nil {
		return "", err
	}
	n := big.NewInt(int64(len(words)))
	picked := make([]string, CodenameWords)
	for i := range picked {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", fmt.Errorf("intake: codename: %w", err)
		}
		picked[i] = words[k.Int64()]
	}
	return strings.Join(picked, " "), nil
}

// NormalizeCodename returns the canonical form of a codename as typed by a
// source: Unicode NFKC, lower case, any run of white space (including
// non-breaking spaces and new lines) becomes one space, leading and trailing
// space dropped. It fails with EINVALID (wrapping ErrInvalidCodename) unless
// the result is exactly CodenameWords words of the list. The check reveals
// nothing about which codenames exist.
func NormalizeCodename(s string) (string, error) {
	invalid := func() error {
		return fmt.Errorf("%w: %w", ErrInvalidCodename,
			domain.Errorf(domain.EINVALID, "A codename is %d words from our list, separated by spaces.", CodenameWords))
	}
	if len(s) > maxCodenameInput {
		return "", invalid()
	}
	fields := strings.Fields(strings.ToLower(norm.NFKC.String(s)))
	if len(fields) != CodenameWords {
		return "", invalid()
	}
	index := wordIndex()
	for _, f := range fields {
		if _, ok := index[f]; !ok {
			return "", invalid()
		}
	}
	return strings.Join(fields, " "), nil
}

// SourceKeys is what one Argon2id derivation of a codename gives.
type SourceKeys struct {
	// LookupKey (32 bytes) is what the database stores and looks sources up by.
	LookupKey []byte
	// Identity is the source's own age key, never stored: the server can
	// re-derive it only while the source is logged in, so replies sealed to
	// Identity.Recipient() are readable by the source and nobody else.
	Identity *age.X25519Identity
}

// DeriveSourceKeys runs exactly one Argon2id derivation over the normalised
// codename, salted with a fixed label and the instance's pepper (a server
// secret kept outside the database). The first 32 output bytes are the
// lookup key, the last 32 the source's X25519 secret.
//
// When the codename is not valid (see NormalizeCodename) the derivation still
// runs, over the raw input, and the error is returned with the keys: callers
// on the login path should treat it exactly like "no such codename" so that
// timing reveals neither validity nor existence.
func DeriveSourceKeys(codename string, pepper []byte) (SourceKeys, error) {
	canonical, normErr := NormalizeCodename(codename)
	input := canonical
	if normErr != nil {
		input = codename
		if len(input) > maxCodenameInput {
			input = input[:maxCodenameInput]
		}
	}
	salt := make([]byte, 0, len(codenameSaltLabel)+len(pepper))
	salt = append(append(salt, codenameSaltLabel...), pepper...)
	out := argon2.IDKey([]byte(input), salt, CodenameArgonTime, CodenameArgonMemory, CodenameArgonThreads, codenameArgonKeyLen)
	id, err := x25519IdentityFromScalar(out[32:])
	if err != nil {
		return SourceKeys{}, fmt.Errorf("intake: derive source keys: %w", err)
	}
	return SourceKeys{LookupKey: out[:32:32], Identity: id}, normErr
}

// CodenameKey returns the 32-byte lookup key of a codename (see
// DeriveSourceKeys). It always costs one derivation, valid input or not; an
// invalid codename yields a key that matches no stored one.
func CodenameKey(codename string, pepper []byte) []byte {
	keys, _ := DeriveSourceKeys(codename, pepper)
	if keys.LookupKey == nil {
		return make([]byte, 32)
	}
	return keys.LookupKey
}

// CodenameKeyEqual compares two lookup keys in constant time. Use it when a
// store fetches a candidate row by a prefix of the key and must confirm the
// rest, so the comparison does not leak how many bytes matched.
func CodenameKeyEqual(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}

package evidence

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"time"

	"github.com/presswatch/presswatch/internal/safehttp"
)

// ManifestVersion is the version of the Manifest JSON layout.
const ManifestVersion = 1

// Manifest is the evidence manifest of one capture. It is stored as JSON
// in the capture's metadata record and entered in the log.
type Manifest struct {
	Version     int       `json:"manifest_version"`
	Tool        string    `json:"tool"`
	URL         string    `json:"url"`
	FinalURL    string    `json:"final_url,omitempty"`
	Redirects   []Hop     `json:"redirects,omitempty"`
	Status      int       `json:"status,omitempty"`
	Headers     Headers   `json:"headers,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	FetchedAt   time.Time `json:"fetched_at"`
	ServerIP    string    `json:"server_ip,omitempty"`
	TLS         *TLS      `json:"tls,omitempty"`
	// BodySHA256 is the hex SHA-256 of the decoded body (Content-Encoding
	// removed); PayloadDigest is the WARC-Payload-Digest of the response.
	BodySHA256    string `json:"body_sha256,omitempty"`
	BodySize      int64  `json:"body_size"`
	PayloadDigest string `json:"payload_digest,omitempty"`
	// TextSHA256 is the hex SHA-256 of the extracted text (UTF-8, as stored
	// in the text resource record).
	TextSHA256 string `json:"text_sha256,omitempty"`
	TextLength int    `json:"text_length"`
	Title      string `json:"title,omitempty"`
	Language   string `json:"language,omitempty"`
	Truncated  bool   `json:"truncated"`
	// Error is why the capture failed (no final response); Errors are
	// problems that did not stop it (decoding, extraction…).
	Error  string   `json:"error,omitempty"`
	Errors []string `json:"errors,omitempty"`
	// ScreenshotMissing and DOMMissing say why those resources are absent.
	ScreenshotMissing string `json:"screenshot_missing,omitempty"`
	DOMMissing        string `json:"dom_missing,omitempty"`
	ScreenshotSHA256  string `json:"screenshot_sha256,omitempty"`
	// ResponseRecordID is the record holding the final response: a
	// response record, or a revisit record when Revisit is true, in which
	// case Original* name the response record it refers to.
	ResponseRecordID string    `json:"response_record_id,omitempty"`
	Revisit          bool      `json:"revisit"`
	OriginalRecordID string    `json:"original_record_id,omitempty"`
	OriginalURL      string    `json:"original_url,omitempty"`
	OriginalDate     time.Time `json:"original_date,omitzero"`
}

// Headers are HTTP headers as received (canonical names).
type Headers map[string][]string

// Hop is one exchange of the redirect chain.
type Hop struct {
	URL        string `json:"url"`
	Status     int    `json:"status,omitempty"`
	Location   string `json:"location,omitempty"`
	ServerIP   string `json:"server_ip,omitempty"`
	Error      string `json:"error,omitempty"`
	RequestID  string `json:"request_record_id,omitempty"`
	ResponseID string `json:"response_record_id,omitempty"`
}

// TLS describes the TLS session of the final response.
type TLS struct {
	Version     string        `json:"version"`
	CipherSuite string        `json:"cipher_suite"`
	ServerName  string        `json:"server_name"`
	Chain       []Certificate `json:"chain"`
}

// Certificate is one certificate of the peer's chain, leaf first.
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	SHA256    string    `json:"sha256"` // hex, of the DER
	PEM       string    `json:"pem"`
}

func tlsManifest(t *safehttp.TLSInfo) *TLS {
	if t == nil {
		return nil
	}
	out := &TLS{Version: t.Version, CipherSuite: t.CipherSuite, ServerName: t.ServerName}
	for _, c := range t.PeerCertificates {
		out.Chain = append(out.Chain, certificate(c))
	}
	return out
}

func certificate(c *x509.Certificate) Certificate {
	sum := sha256.Sum256(c.Raw)
	return Certificate{
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		DNSNames:  c.DNSNames,
		SHA256:    hex.EncodeToString(sum[:]),
		PEM:       string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})),
	}
}

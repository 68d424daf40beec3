// Package intake owns the cryptography of anonymous submissions: source
// codenames and their derived lookup keys, editors' password-wrapped age keys,
// per-report keys, streaming sealing of messages and attachments, and the
// metadata-stripped copies made for publication.
package intake

// Package ledger owns presswatch's public transparency log: canonical JSON
// entries, the RFC 6962 Merkle tree kept by a Storage, signed C2SP
// checkpoints with rollback protection, witness cosignatures, the C2SP
// tlog-tiles files (served over HTTP or written to a folder) and the offline
// verifier that checks all of it without a database.
package ledger

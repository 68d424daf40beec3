// Package store keeps presswatch's data in SQLite or PostgreSQL from one code
// base: the incident working copies, revisions, the published record with its
// full-text index and facets, users, sessions, vocabularies and the audit log.
// Dialect differences live in dialect.go; migrations are embedded per engine.
package store

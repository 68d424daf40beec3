// Package domain holds presswatch's vocabulary: incidents and what they are
// made of, users, revisions, the one error type, and the interfaces that the
// stores implement. It imports only the standard library.
package domain

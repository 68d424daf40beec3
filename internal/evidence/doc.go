// Package evidence owns captures as evidence: fetching a URL through
// safehttp into a WARC 1.1 file (request, response, metadata manifest,
// extracted text, revisit records), reading and verifying WARC files from
// any tool, and packaging captures as WACZ 1.1.1.
package evidence

// Package extract owns article text extraction: it turns a captured HTML page
// into the article's main text (paragraphs kept), title, byline, dates,
// language and direction, and it defines the normalised form of that text that
// the monitor compares and the evidence manifest hashes.
package extract

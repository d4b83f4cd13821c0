// Package pdf renders Homeward's printable documents — the return list of
// children, the case summary and handover pack — from a small document model
// of headings, paragraphs, label–value fields, tables and images. Text is set
// in DejaVu Sans, embedded as a subset, so Ukrainian and English print the
// same on any machine; tables wrap text within cells, never split a row
// across pages unless it is taller than a page, and repeat their header on
// every page; every page carries "Page N of M" in the document's language.
//
// It lays out what it is given, nothing more: it never reads storage, never
// fetches fonts or images from the network or the file system (the fonts are
// embedded in the binary, images arrive as bytes), and never logs document
// text, because it is names and details of children and their families. Its
// errors name blocks, rows and limits, never the text that broke them.
package pdf

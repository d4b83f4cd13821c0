// Package tabular reads and writes the spreadsheets Homeward exchanges with
// people: CSV and XLSX files of cases and located records. It maps column
// headers written in English, Ukrainian or Russian to the domain's fields,
// parses the many ways dates are written, validates every row and reports each
// problem by row, column and field, and writes exports and files of rejected
// rows.
//
// It converts files to domain values and back, nothing more: it never touches
// storage, never decides what is a duplicate beyond computing import keys, and
// never logs cell values, because they are names and details of children and
// their families. Files come from anyone who can sign in, so it never holds
// more of a cell than a spreadsheet program can write, and a problem quotes
// only an excerpt of the value.
package tabular

// Package csvimport reads the contact lists operators upload to a campaign:
// CSV text, or the first sheet of an .xlsx workbook read into the same
// records. It streams CSV (memory stays flat however long it is),
// tolerates what real spreadsheet exports contain (BOM, CRLF, "sep=;",
// semicolons, quoted multi-line cells, blank lines, stray spaces), maps
// the header to contact fields by aliases or an explicit Mapping, and
// turns each row into a contact with an E.164 phone (and a time zone when
// the file gives one), or into a {row, reason} skip numbered as the
// operator's spreadsheet numbers it. Duplicate phones are left to the
// database, which counts them per campaign.
package csvimport

// Package csvimport reads the contact lists operators upload to a campaign.
// It streams the file (memory stays flat however long it is), tolerates what
// real spreadsheet exports contain (BOM, CRLF, "sep=;", semicolons, quoted
// multi-line cells, blank lines, stray spaces) and turns each row into a
// contact with an E.164 phone, or into a {row, reason} skip numbered as the
// operator's spreadsheet numbers it. Duplicate phones are left to the
// database, which counts them per campaign.
package csvimport

package db

import "strings"

// InList is the SQL list of words, for `status in ` + InList(…):
// ('A', 'B'), quoted and separated the way the migrations write them, so
// that a query built from it says what a partial index's predicate says,
// word for word, and the planner can use the index. The words are
// constants of the code (statuses), never user input; a quote in one is
// doubled all the same.
func InList[S ~string](words ...S) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, w := range words {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(string(w), "'", "''"))
		b.WriteByte('\'')
	}
	b.WriteByte(')')
	return b.String()
}

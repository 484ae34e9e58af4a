package db

import "testing"

func TestInList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   []string
		want string
	}{{nil, "()"}, {[]string{"A"}, "('A')"}, {[]string{"PENDING", "QUEUED"}, "('PENDING', 'QUEUED')"}, {[]string{"it's"}, "('it''s')"}} {
		if got := InList(c.in...); got != c.want {
			t.Errorf("InList(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

package devserver

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Vercel is the part of vercel.json that decides routing and headers.
type Vercel struct {
	Framework *string   `json:"framework"`
	Rewrites  []Rewrite `json:"rewrites"`
	Headers   []struct {
		Source  string `json:"source"`
		Headers []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"headers"`
	} `json:"headers"`
	Crons []struct {
		Path     string `json:"path"`
		Schedule string `json:"schedule"`
	} `json:"crons"`
	Functions map[string]struct {
		MaxDuration int `json:"maxDuration"`
	} `json:"functions"`
}

// Rewrite is one vercel.json rewrite.
type Rewrite struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
}

// LoadVercel reads vercel.json.
func LoadVercel(path string) (*Vercel, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read vercel.json: %w", err)
	}
	var v Vercel
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("parse vercel.json: %w", err)
	}
	return &v, nil
}

var paramSegment = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// sourceRegexp compiles Vercel's path-to-regexp subset that we use:
// literal segments, ":name" (one segment) and raw "(…)" groups.
func sourceRegexp(source string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	rest := source
	for rest != "" {
		switch {
		case rest[0] == '(':
			end := strings.IndexByte(rest, ')')
			if end < 0 {
				end = len(rest) - 1
			}
			b.WriteString(rest[:end+1])
			rest = rest[end+1:]
		case rest[0] == ':':
			m := paramSegment.FindStringSubmatch(rest)
			b.WriteString("(?P<" + m[1] + ">[^/]+)")
			rest = rest[len(m[0]):]
		default:
			b.WriteString(regexp.QuoteMeta(rest[:1]))
			rest = rest[1:]
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// Apply matches path against the rewrite; on a match it returns the
// destination path and the query the destination adds.
func (rw Rewrite) Apply(path string) (dest string, query url.Values, ok bool) {
	re := sourceRegexp(rw.Source)
	m := re.FindStringSubmatch(path)
	if m == nil {
		return "", nil, false
	}
	out := rw.Destination
	for i, name := range re.SubexpNames() {
		if name != "" {
			out = strings.ReplaceAll(out, ":"+name, url.QueryEscape(m[i]))
		}
	}
	u, err := url.Parse(out)
	if err != nil {
		return "", nil, false
	}
	return u.Path, u.Query(), true
}

// Command genroutes writes what is made from the functions' route tables
// (devserver.Routes): vercel.json's rewrites and the route list of
// docs/api.md. Run it with `go generate
// ./lib/httpapi`; a test fails while the committed files differ.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/autolynx/autolynx/dev/devserver"
	"github.com/autolynx/autolynx/lib/httpapi"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	flag.Parse()
	for _, f := range []struct {
		path string
		make func([]byte) ([]byte, error)
	}{
		{"vercel.json", vercelJSON},
		{"docs/api.md", apiDoc},
	} {
		p := filepath.Join(*root, f.path)
		old, err := os.ReadFile(p)
		if err != nil {
			log.Fatal(err)
		}
		out, err := f.make(old)
		if err != nil {
			log.Fatalf("%s: %v", f.path, err)
		}
		if err := os.WriteFile(p, out, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// vercelJSON replaces the "rewrites" array of vercel.json, leaving every
// other byte as written.
func vercelJSON(old []byte) ([]byte, error) {
	key := []byte(`"rewrites": `)
	at := bytes.Index(old, key)
	if at < 0 {
		return nil, errors.New(`no "rewrites" key`)
	}
	start := at + len(key)
	dec := json.NewDecoder(bytes.NewReader(old[start:]))
	var skip json.RawMessage
	if err := dec.Decode(&skip); err != nil {
		return nil, err
	}
	end := start + int(dec.InputOffset())
	rewrites, err := json.MarshalIndent(rewrites(devserver.Routes()), "  ", "  ")
	if err != nil {
		return nil, err
	}
	return bytes.Join([][]byte{old[:start], rewrites, old[end:]}, nil), nil
}

const (
	beginRoutes = "<!-- routes: generated from the route tables by go generate ./lib/httpapi -->\n"
	endRoutes   = "<!-- end of routes -->\n"
)

// apiDoc replaces the route table of docs/api.md between its markers.
func apiDoc(old []byte) ([]byte, error) {
	s := string(old)
	i, j := strings.Index(s, beginRoutes), strings.Index(s, endRoutes)
	if i < 0 || j < i {
		return nil, errors.New("route markers missing")
	}
	var b strings.Builder
	b.WriteString("| Method | Path | Function | Who may call | Rate limit | Body limit |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, file := range slices.Sorted(maps.Keys(devserver.Functions)) {
		for _, rt := range devserver.Functions[file].Routes {
			bucket := string(rt.Bucket)
			if bucket == "" {
				bucket = "—"
			}
			fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s | %d bytes |\n",
				rt.Method, rt.Path, file, rt.Access, bucket, rt.Body.Bytes)
		}
	}
	return []byte(s[:i+len(beginRoutes)] + b.String() + s[j:]), nil
}

// rewrites are vercel.json's rewrites, made from routes: every public path
// other than a function's own goes to that function, with the path kept
// in the query (?path=…) for httpapi.Function to route by.
func rewrites(routes []httpapi.Route) []devserver.Rewrite {
	var out []devserver.Rewrite
	seen := map[string]bool{}
	for _, rt := range routes {
		own := httpapi.FunctionPath(rt.Function)
		if seen[rt.Path] || rt.Path == own {
			continue
		}
		seen[rt.Path] = true
		source := vercelParams.ReplaceAllString(rt.Path, ":$1")
		out = append(out, devserver.Rewrite{Source: source, Destination: own + "?path=" + source})
	}
	return out
}

// vercelParams finds ServeMux wildcards ({id}), which Vercel writes :id.
var vercelParams = regexp.MustCompile(`\{(\w+)\}`)

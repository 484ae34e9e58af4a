package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The committed vercel.json and docs/api.md are what the route tables make:
// a route added without `go generate ./lib/httpapi` fails here.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	for path, make := range map[string]func([]byte) ([]byte, error){
		"vercel.json": vercelJSON,
		"docs/api.md": apiDoc,
	} {
		old, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		want, err := make(old)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if string(want) != string(old) {
			t.Errorf("%s is not what the route tables make: run go generate ./lib/httpapi", path)
		}
	}
}

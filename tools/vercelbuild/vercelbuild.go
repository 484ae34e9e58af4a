// Package vercelbuild builds each function under api/ the way Vercel's Go
// builder does (research: platform.md §A1), so that what is deployed can
// be measured here: which handler the builder picks, how large each
// binary is, how fast it answers its first request. It is development
// tooling; nothing deployed imports it.
package vercelbuild

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Function is one entrypoint file under api/.
type Function struct {
	// File is the entrypoint, relative to the module root
	// ("api/health/index.go").
	File string
	// ImportPath is the entrypoint's package; the builder compiles all of it.
	ImportPath string
	// Handler is the function the builder serves.
	Handler string
}

// Route is the path Vercel serves the function at ("/api/health").
func (f Function) Route() string {
	return "/" + strings.TrimSuffix(strings.TrimSuffix(f.File, ".go"), "/index")
}

// Find lists the functions under root/api with the builder's rules: every
// .go file but tests and paths holding "/_" or "/.", each served by its
// first exported, receiverless func of two parameters whose text names
// http.ResponseWriter and *http.Request.
func Find(root string) ([]Function, error) {
	module, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	var out []Function
	err = filepath.WalkDir(filepath.Join(root, "api"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") ||
			strings.Contains(rel, "/_") || strings.Contains(rel, "/.") {
			return nil
		}
		handler, err := findHandler(p)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		out = append(out, Function{File: rel, ImportPath: module + "/" + path.Dir(rel), Handler: handler})
		return nil
	})
	return out, err
}

func findHandler(file string) (string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
	if err != nil {
		return "", err
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Params.NumFields() != 2 {
			continue
		}
		params := string(src[fn.Type.Params.Pos()-1 : fn.Type.Params.End()-1])
		if strings.Contains(params, "http.ResponseWriter") && strings.Contains(params, "*http.Request") {
			return fn.Name.Name, nil
		}
	}
	return "", fmt.Errorf("could not find an exported function (the builder fails the same way)")
}

func modulePath(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if p, ok := strings.CutPrefix(first, "module "); ok {
		return strings.TrimSpace(p), nil
	}
	return "", fmt.Errorf("%s/go.mod does not start with its module line", root)
}

// main is the builder's generated entrypoint, with net/http standing in
// for its go-bridge (Lambda's invoke loop, not on the module proxy): the
// same package is linked, and the process serves the handler on $PORT.
const main = `package main

import (
	"net/http"
	"os"

	fn %q
)

func main() {
	if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), http.HandlerFunc(fn.%s)); err != nil {
		panic(err)
	}
}
`

// Build compiles f as the builder would: its own module named handler
// that requires ours through a replace, GOOS=linux GOARCH=amd64 and the
// default -ldflags "-s -w". It returns the binary's path under dir.
func (f Function) Build(ctx context.Context, root, dir string) (string, error) {
	module, err := modulePath(root)
	if err != nil {
		return "", err
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return "", err
	}
	src := filepath.Join(dir, "src-"+slug(f.File))
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	ours, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	// The builder keeps our requirements (so versions match) under its own
	// module name, and reaches our packages through a replace.
	_, rest, _ := strings.Cut(string(ours), "\n")
	gomod := fmt.Appendf(nil, "module handler\n%s\nrequire %s v0.0.0-unpublished\n\nreplace %s => %s\n",
		rest, module, module, root)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return "", err
	}
	files := map[string][]byte{
		"go.mod":            gomod,
		"go.sum":            sum,
		"main__vc__go__.go": fmt.Appendf(nil, main, f.ImportPath, f.Handler),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(src, name), b, 0o644); err != nil {
			return "", err
		}
	}
	bin := filepath.Join(dir, slug(f.File))
	cmd := exec.CommandContext(ctx, "go", "build", "-mod=mod", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", f.File, err, out)
	}
	return bin, nil
}

// slug names a function's files: "api/scheduler/tick.go" → "scheduler-tick".
func slug(file string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(file, "api/"), ".go"), "/", "-")
}

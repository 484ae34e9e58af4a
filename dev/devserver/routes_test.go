package devserver

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/httpapi"
)

func root(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
}

// apiFiles lists the files Vercel's Go builder turns into functions.
func apiFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	base := root(t)
	err := filepath.WalkDir(filepath.Join(base, "api"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		rel = filepath.ToSlash(rel)
		if strings.Contains(rel, "/_") || strings.Contains(rel, "/.") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFunctionsTableMatchesAPIFiles(t *testing.T) {
	t.Parallel()
	files := apiFiles(t)
	if len(files) > 12 {
		t.Errorf("%d functions; Vercel's Hobby plan allows 12", len(files))
	}
	for _, f := range files {
		if _, ok := Functions[f]; !ok {
			t.Errorf("%s is a Vercel function missing from devserver.Functions", f)
		}
	}
	if len(files) != len(Functions) {
		t.Errorf("Functions has %d entries, api/ has %d files", len(Functions), len(files))
	}
}

// Each api/ file must satisfy Vercel's builder (first exported func with
// the handler signature, not package main) and hand app.Serve the very
// route table Functions gives it (Routes of the package its handlers are
// in), whose routes all name the function the file is: tests and the
// local runner serve Functions' tables, so a file serving another table
// would pass them and answer 404 deployed.
func TestAPIFilesServeTheirRoutes(t *testing.T) {
	t.Parallel()
	for file, fn := range Functions {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(root(t), file), nil, 0)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if f.Name.Name == "main" {
			t.Errorf("%s: package main is rejected by Vercel's Go builder", file)
		}
		handler := firstHandler(f)
		if handler == nil {
			t.Errorf("%s: no exported func(http.ResponseWriter, *http.Request)", file)
			continue
		}
		if got := runtime.FuncForPC(reflect.ValueOf(fn.Handler).Pointer()).Name(); !strings.HasSuffix(got, "."+handler.Name.Name) {
			t.Errorf("%s: table handler %s, file's handler %s", file, got, handler.Name.Name)
		}
		m := regexp.MustCompile(`(?m)^app\.Serve w r (\w+)\.Routes$`).FindStringSubmatch(calls(handler.Body))
		if m == nil {
			t.Errorf("%s: handler does not hand app.Serve a route table", file)
		} else if got, want := importPath(f, m[1]), handlerPackage(fn.Routes); got != want {
			t.Errorf("%s serves the table of %s, Functions says %s", file, got, want)
		}
		if len(fn.Routes) == 0 {
			t.Errorf("%s serves no route", file)
		}
		for _, rt := range fn.Routes {
			if httpapi.FunctionPath(rt.Function) != FunctionPath(file) {
				t.Errorf("%s: route %s names function %q", file, rt.Pattern(), rt.Function)
			}
		}
	}
}

// importPath is the path f imports as name.
func importPath(f *ast.File, name string) string {
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if (imp.Name != nil && imp.Name.Name == name) || (imp.Name == nil && path.Base(p) == name) {
			return p
		}
	}
	return ""
}

// handlerPackage is the import path of the package routes' handlers are in.
func handlerPackage(routes []httpapi.Route) string {
	if len(routes) == 0 {
		return ""
	}
	name := runtime.FuncForPC(reflect.ValueOf(routes[0].Handle).Pointer()).Name()
	slash := strings.LastIndex(name, "/")
	return name[:slash+strings.Index(name[slash:], ".")]
}

func firstHandler(f *ast.File) *ast.FuncDecl {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || !fd.Name.IsExported() || len(fd.Type.Params.List) != 2 {
			continue
		}
		params := types.ExprString(fd.Type.Params.List[0].Type) + " " + types.ExprString(fd.Type.Params.List[1].Type)
		if strings.Contains(params, "http.ResponseWriter") && strings.Contains(params, "*http.Request") {
			return fd
		}
	}
	return nil
}

// calls lists the calls in n, one a line: the function and its arguments
// as written.
func calls(n ast.Node) string {
	var b strings.Builder
	ast.Inspect(n, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			b.WriteString(types.ExprString(c.Fun))
			for _, a := range c.Args {
				b.WriteString(" " + types.ExprString(a))
			}
			b.WriteString("\n")
		}
		return true
	})
	return b.String()
}

func TestVercelJSON(t *testing.T) {
	t.Parallel()
	v, err := LoadVercel(filepath.Join(root(t), "vercel.json"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Framework != nil {
		t.Errorf("framework must be null, got %q", *v.Framework)
	}
	if len(v.Crons) != 1 || v.Crons[0].Path != "/api/scheduler/tick" || v.Crons[0].Schedule != "* * * * *" {
		t.Errorf("crons = %+v, want the tick every minute", v.Crons)
	}
	for glob, f := range v.Functions {
		if f.MaxDuration < 1 || f.MaxDuration > 300 {
			t.Errorf("functions[%s].maxDuration = %d, want an explicit 1–300", glob, f.MaxDuration)
		}
	}
	if len(v.Functions) == 0 {
		t.Error("vercel.json sets no functions.maxDuration")
	}
	rt := NewRouter(v, "", deployed())
	for _, rw := range v.Rewrites {
		dest := strings.SplitN(rw.Destination, "?", 2)[0]
		if _, ok := rt.functions[dest]; !ok {
			t.Errorf("rewrite %s → %s: no function at %s", rw.Source, rw.Destination, dest)
		}
	}
	for _, forbidden := range []string{"main.go", "cmd/api/main.go", "cmd/server/main.go"} {
		if _, err := os.Stat(filepath.Join(root(t), forbidden)); err == nil {
			t.Errorf("%s exists: Vercel would switch to its Go server preset and ignore api/", forbidden)
		}
	}
}

// Every route of every function reaches, through vercel.json, the
// function that serves it, with its public path in the rewrite's query.
func TestEveryRouteResolves(t *testing.T) {
	t.Parallel()
	v, err := LoadVercel(filepath.Join(root(t), "vercel.json"))
	if err != nil {
		t.Fatal(err)
	}
	rt := NewRouter(v, "", deployed())
	for _, route := range Routes() {
		path := samplePath(route.Path)
		fn, q, ok := rt.Resolve(path)
		if want := httpapi.FunctionPath(route.Function); !ok || fn != want {
			t.Errorf("%s resolves to %q (ok %v), want %s", path, fn, ok, want)
			continue
		}
		if fn != path {
			if got := q["path"]; len(got) != 1 || got[0] != path {
				t.Errorf("%s: query path = %v", path, got)
			}
		}
	}
	if _, _, ok := rt.Resolve("/api/nothing/here/at/all"); ok {
		t.Error("an unknown path resolved")
	}
}

// samplePath fills a route's wildcards with values of their kind.
func samplePath(pattern string) string {
	return strings.NewReplacer("{id}", "6f1c0a52-7c5e-4a8e-9d0b-2a3f4e5d6c7b", "{callId}", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
		"{action}", "start", "{phone}", "+14155550100").Replace(pattern)
}

// No deployed function links development or test support.
func TestFunctionsLinkNothingOfDev(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-deps", "./api/...")
	cmd.Dir = root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "/autolynx/dev/") || strings.HasSuffix(p, "/autolynx/dev") {
			t.Errorf("a function links %s", p)
		}
	}
}

// deployed is every function's handler as Vercel runs it, by file.
func deployed() map[string]http.Handler {
	out := make(map[string]http.Handler, len(Functions))
	for file, f := range Functions {
		out[file] = f.Handler
	}
	return out
}

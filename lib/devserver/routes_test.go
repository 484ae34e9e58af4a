package devserver

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
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
// the handler signature, not package main) and serve the very lib
// constructor the table says, so tests and deployment run the same code.
func TestAPIFilesServeTheirConstructor(t *testing.T) {
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
		build := runtime.FuncForPC(reflect.ValueOf(fn.Build).Pointer()).Name()
		want := "httpapi." + build[strings.LastIndex(build, ".")+1:]
		if !strings.Contains(selectors(handler.Body), want+" ") {
			t.Errorf("%s: handler does not serve %s", file, want)
		}
	}
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

// selectors lists the pkg.Name references in n.
func selectors(n ast.Node) string {
	var b strings.Builder
	ast.Inspect(n, func(n ast.Node) bool {
		if x, ok := n.(*ast.SelectorExpr); ok {
			b.WriteString(types.ExprString(x) + " ")
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
	rt := NewRouter(v, "", Deployed())
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

// Every route of API.md reaches the function that serves it, with the
// query the rewrite adds.
func TestEveryAPIRouteResolves(t *testing.T) {
	t.Parallel()
	v, err := LoadVercel(filepath.Join(root(t), "vercel.json"))
	if err != nil {
		t.Fatal(err)
	}
	rt := NewRouter(v, "", Deployed())
	const id = "6f1c0a52-7c5e-4a8e-9d0b-2a3f4e5d6c7b"
	cases := []struct {
		path, fn string
		query    map[string]string
	}{
		{"/api/health", "/api/health", nil},
		{"/api/me", "/api/me", nil},
		{"/api/config", "/api/config", nil},
		{"/api/assistants", "/api/assistants", nil},
		{"/api/assistants/import", "/api/assistants", map[string]string{"action": "import"}},
		{"/api/assistants/" + id, "/api/assistants", map[string]string{"id": id}},
		{"/api/campaigns", "/api/campaigns", nil},
		{"/api/campaigns/" + id, "/api/campaigns", map[string]string{"id": id}},
		{"/api/campaigns/" + id + "/summary", "/api/campaigns", map[string]string{"id": id, "action": "summary"}},
		{"/api/campaigns/" + id + "/contacts", "/api/campaigns", map[string]string{"id": id, "action": "contacts"}},
		{"/api/campaigns/" + id + "/start", "/api/campaigns", map[string]string{"id": id, "action": "start"}},
		{"/api/campaigns/" + id + "/pause", "/api/campaigns", map[string]string{"action": "pause"}},
		{"/api/campaigns/" + id + "/resume", "/api/campaigns", map[string]string{"action": "resume"}},
		{"/api/campaigns/" + id + "/stop", "/api/campaigns", map[string]string{"action": "stop"}},
		{"/api/campaigns/" + id + "/export.csv", "/api/campaigns", map[string]string{"action": "export.csv"}},
		{"/api/campaigns/" + id + "/calls/" + id, "/api/campaigns", map[string]string{"action": "calls", "callId": id}},
		{"/api/campaigns/" + id + "/calls/" + id + "/recording", "/api/campaigns", map[string]string{"id": id, "action": "recording", "callId": id}},
		{"/api/scheduler/tick", "/api/scheduler/tick", nil},
		{"/api/webhooks/vapi", "/api/webhooks/vapi", nil},
		{"/api/admin/users", "/api/admin", map[string]string{"resource": "users"}},
		{"/api/admin/users/" + id, "/api/admin", map[string]string{"resource": "users", "id": id}},
		{"/api/admin/config", "/api/admin", map[string]string{"resource": "config"}},
		{"/api/dnc", "/api/dnc", nil},
		{"/api/dnc/+14155550100", "/api/dnc", map[string]string{"phone": "+14155550100"}},
	}
	for _, c := range cases {
		fn, q, ok := rt.Resolve(c.path)
		if !ok || fn != c.fn {
			t.Errorf("%s resolves to %q (ok %v), want %s", c.path, fn, ok, c.fn)
			continue
		}
		for k, want := range c.query {
			if got := q[k]; len(got) != 1 || got[0] != want {
				t.Errorf("%s: query %s = %v, want %s", c.path, k, got, want)
			}
		}
	}
	if _, _, ok := rt.Resolve("/api/nothing/here/at/all"); ok {
		t.Error("an unknown path resolved")
	}
}

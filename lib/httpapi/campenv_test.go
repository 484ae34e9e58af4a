package httpapi_test

import (
	"maps"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
)

// campEnv is a running backend with one active assistant. Each test (or
// subtest) signs in as its own operator (Env.NewOperator) so the per-user
// upload and export limits (10 and 5 a minute) never decide a test.
type campEnv struct {
	*apitest.Env
	assistant string
}

func newCampEnv(t *testing.T, opts apitest.Options) *campEnv {
	t.Helper()
	e := apitest.New(t, opts)
	return &campEnv{Env: e, assistant: e.CreateAssistant("Sales")}
}

// form is the create form with the test assistant; extra overrides it.
func (e *campEnv) form(extra map[string]string) map[string]string {
	f := map[string]string{"name": "Spring list", "assistantId": e.assistant}
	maps.Copy(f, extra)
	return f
}

// create posts the create form (see form) as the holder of token and
// fails the test unless it answers 201.
func (e *campEnv) create(t *testing.T, token string, fields map[string]string, csv string) apitest.Created {
	t.Helper()
	return e.CreateCampaignAs(t, token, e.form(fields), csv)
}

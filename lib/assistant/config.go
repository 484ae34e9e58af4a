package assistant

import (
	"encoding/json"
	"errors"

	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/vapi"
)

// vapiConfig turns the directory's config into Vapi's CreateAssistantDTO:
// systemPrompt becomes the model's system message (Vapi has no
// systemPrompt field), and our webhook and server messages are set.
// Other keys are Vapi's own and passed as they are.
func (d *Directory) vapiConfig(name string, config json.RawMessage) (json.RawMessage, error) {
	cfg := map[string]any{}
	if len(config) > 0 {
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, problem.New(problem.Invalid, "config must be a JSON object", "field", "config")
		}
	}
	if prompt, ok := cfg["systemPrompt"].(string); ok {
		delete(cfg, "systemPrompt")
		model, _ := cfg["model"].(map[string]any)
		if model == nil {
			model = map[string]any{"provider": "openai", "model": "gpt-4o-mini"}
		}
		model["messages"] = []map[string]string{{"role": "system", "content": prompt}}
		cfg["model"] = model
	}
	cfg["name"] = name
	cfg["server"] = map[string]any{"url": d.WebhookURL, "headers": map[string]string{"X-Vapi-Secret": d.WebhookSecret}}
	cfg["serverMessages"] = ServerMessages
	return json.Marshal(cfg)
}

// vapiProblem explains a Vapi failure: a refusal is the request's fault
// (400 with Vapi's words); anything else is Vapi's (502).
func vapiProblem(err error, doing string) error {
	var rej *vapi.RejectedError
	if errors.As(err, &rej) && !vapi.IsUnauthorized(err) {
		return problem.Wrap(problem.Invalid, err, "Vapi refused to "+doing+": "+rej.Message)
	}
	return problem.Wrap(problem.Upstream, err, "Vapi could not "+doing+"; nothing was changed, try again")
}

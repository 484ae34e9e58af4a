package outcome

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

const saveDefs = `update campaigns set outcome_fields = $2::jsonb, outcome_rules = $3::jsonb where id = $1`

// Save stores a validated plan as the campaign's outcome definitions.
func Save(ctx context.Context, q db.DBTX, campaignID uuid.UUID, p Plan) error {
	if p.Empty() && len(p.Rules) == 0 {
		return nil
	}
	fields, _ := json.Marshal(p.Fields)
	rules, _ := json.Marshal(p.Rules)
	if _, err := q.Exec(ctx, saveDefs, campaignID, string(fields), string(rules)); err != nil {
		return fmt.Errorf("save outcome fields: %w", err)
	}
	return nil
}

const loadDefs = `select outcome_fields::text, outcome_rules::text from campaigns where id = $1`

// Load reads a campaign's outcome definitions.
func Load(ctx context.Context, q db.DBTX, campaignID uuid.UUID) (Plan, error) {
	var fields, rules string
	err := q.QueryRow(ctx, loadDefs, campaignID).Scan(&fields, &rules)
	if errors.Is(err, pgx.ErrNoRows) {
		return Plan{}, problem.New(problem.NotFound, "campaign not found")
	}
	if err != nil {
		return Plan{}, fmt.Errorf("load outcome fields: %w", err)
	}
	return Decode(fields, rules)
}

// Decode reads stored definitions (as Save wrote them).
func Decode(fields, rules string) (Plan, error) {
	p := Plan{Fields: []Field{}, Rules: []Rule{}}
	if err := json.Unmarshal([]byte(fields), &p.Fields); err != nil {
		return p, fmt.Errorf("decode outcome fields: %w", err)
	}
	if err := json.Unmarshal([]byte(rules), &p.Rules); err != nil {
		return p, fmt.Errorf("decode outcome rules: %w", err)
	}
	return p, nil
}

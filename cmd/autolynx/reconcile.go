package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/recovery"
	"github.com/autolynx/autolynx/lib/vapi"
)

// recoveryUsage documents the commands for the day the cron is down.
const recoveryUsage = `  reconcile  rebuild a campaign's calls from call_events (and Vapi):
             reconcile --campaign ID [--vapi] [--repair] [--json]
  pause-all  pause every dialing campaign
  resume     resume a paused campaign: resume --campaign ID
  mark-call  end a stuck call by hand: mark-call --call ID --status ENDED|FAILED|CANCELED|TIMEOUT --reason "…"
`

// recoveryCLI runs the recovery commands against DATABASE_URL. Its
// environment and output are fields so tests run it in parallel.
type recoveryCLI struct {
	getenv func(string) string
	out    io.Writer
	now    func() time.Time
}

// runRecovery runs one recovery command with the process's environment.
func runRecovery(ctx context.Context, cmd string, args []string) error {
	return recoveryCLI{getenv: os.Getenv, out: os.Stdout, now: time.Now}.run(ctx, cmd, args)
}

func (c recoveryCLI) run(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	campaignID := fs.String("campaign", "", "campaign id")
	callID := fs.String("call", "", "call id (mark-call)")
	status := fs.String("status", "", "ENDED, FAILED, CANCELED or TIMEOUT (mark-call)")
	reason := fs.String("reason", "", "why the call is marked (mark-call)")
	useVapi := fs.Bool("vapi", false, "also ask Vapi (VAPI_API_KEY, VAPI_BASE_URL) (reconcile)")
	repair := fs.Bool("repair", false, "write the rebuilt state, forward-only (reconcile)")
	asJSON := fs.Bool("json", false, "print the result as JSON (reconcile)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	switch cmd {
	case "reconcile":
		id, err := parseID("--campaign", *campaignID)
		if err != nil {
			return err
		}
		return c.reconcile(ctx, pool, id, *useVapi, *repair, *asJSON)
	case "pause-all":
		ids, err := recovery.PauseAll(ctx, pool)
		for _, id := range ids {
			fmt.Fprintln(c.out, "paused", id)
		}
		fmt.Fprintf(c.out, "%d campaigns paused\n", len(ids))
		return err
	case "resume":
		id, err := parseID("--campaign", *campaignID)
		if err != nil {
			return err
		}
		st, err := campaign.Control(ctx, pool, id, campaign.Resume, uuid.Nil)
		if err == nil {
			fmt.Fprintf(c.out, "campaign %s is %s\n", id, st)
		}
		return err
	case "mark-call":
		id, err := parseID("--call", *callID)
		if err != nil {
			return err
		}
		if err := recovery.MarkCall(ctx, pool, id, strings.ToUpper(*status), *reason, c.now()); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "call %s marked %s\n", id, strings.ToUpper(*status))
		return nil
	}
	return fmt.Errorf("unknown command %q", cmd)
}

// loopbackDB reports whether pool's database is on this machine.
func loopbackDB(pool *pgxpool.Pool) bool {
	host := pool.Config().ConnConfig.Host
	ip := net.ParseIP(host)
	return host == "localhost" || strings.HasPrefix(host, "/") || ip != nil && ip.IsLoopback()
}

func (c recoveryCLI) open(ctx context.Context) (*pgxpool.Pool, error) {
	url := c.getenv("DATABASE_URL")
	if url == "" {
		return nil, errors.New("set DATABASE_URL (a session connection: on Supabase the direct or session-pooler URL)")
	}
	return db.Open(ctx, url)
}

func (c recoveryCLI) reconcile(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID, useVapi, repair, asJSON bool) error {
	// The local runner's simulator stores recordings on loopback http,
	// which only a local deployment accepts; a database on loopback is
	// taken for one (Supabase's never is).
	opts := recovery.Options{Repair: repair, Now: c.now, URLs: callstate.URLPolicy{LoopbackHTTP: loopbackDB(pool)}}
	if useVapi {
		key := c.getenv("VAPI_API_KEY")
		if key == "" {
			return errors.New("--vapi needs VAPI_API_KEY (and VAPI_BASE_URL unless Vapi's own)")
		}
		opts.Vapi = vapi.New(vapi.Config{BaseURL: c.getenv("VAPI_BASE_URL"), APIKey: key})
	}
	res, err := recovery.Rebuild(ctx, pool, id, opts)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printRebuild(c.out, res, useVapi, repair)
	return nil
}

// printRebuild shows ids, statuses and column names only: never a phone
// number, a name or a transcript.
func printRebuild(w io.Writer, res *recovery.Result, useVapi, repair bool) {
	fmt.Fprintf(w, "campaign %s: %d calls, %d events replayed (%d carried nothing to replay)\n",
		res.CampaignID, res.Calls, res.Events, res.Skipped)
	if useVapi {
		fmt.Fprintf(w, "Vapi: %d calls matched, %d of this campaign unknown to the calls table\n", res.VapiMatched, res.VapiUnknown)
	}
	fmt.Fprintf(w, "%d calls differ from their rebuilt state\n", len(res.Diffs))
	for _, d := range res.Diffs {
		fmt.Fprintf(w, "  %s  %s -> %s  %s\n", d.CallID, d.Current, d.Rebuilt, strings.Join(d.Fields, ", "))
	}
	switch {
	case repair:
		fmt.Fprintf(w, "repaired %d calls\n", res.Repaired)
	case len(res.Diffs) > 0:
		fmt.Fprintln(w, "dry run: add --repair to write the rebuilt state")
	}
}

func parseID(flagName, v string) (uuid.UUID, error) {
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, fmt.Errorf("%s must be a UUID", flagName)
	}
	return id, nil
}

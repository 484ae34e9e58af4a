// Command autolynx runs AutoLynx on one machine: Postgres, every api/
// function at its Vercel path, the dashboard, the cron and a Vapi
// simulator. Subcommands mint local sign-in tokens, run the simulator
// alone, apply migrations, and recover: rebuild calls from the event log,
// pause everything, resume, mark a stuck call.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: autolynx [command] [flags]

commands:
  serve      run the whole system locally (default); --auth supabase signs in
             through Supabase's real Auth server instead of local tokens
  build-auth build Supabase's Auth server from the vendored source (cached)
  token      print a sign-in token for a local user: token --email E --role admin|operator
  vapi-sim   run the Vapi simulator alone: vapi-sim --addr 127.0.0.1:3100
  migrate    apply supabase/migrations (and the local shim) to DATABASE_URL
` + recoveryUsage

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := "serve", os.Args[1:]
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args)
	case "token":
		err = token(args)
	case "vapi-sim":
		err = vapiSim(ctx, args)
	case "migrate":
		err = migrate(ctx)
	case "build-auth":
		err = buildAuth(ctx)
	case "reconcile", "pause-all", "resume", "mark-call":
		err = runRecovery(ctx, cmd, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "autolynx:", err)
		os.Exit(1)
	}
}

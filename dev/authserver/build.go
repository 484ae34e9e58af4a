package authserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// Tarball is the vendored source's file name, beside the repository in
// shared/vendor (CI clones the repository with shared/ next to it).
const Tarball = "supabase-auth-v2.196.0-2-gbc32168e.tar.gz"

// EnvTarball overrides where the source tarball is looked for.
const EnvTarball = "AUTOLYNX_GOTRUE_TARBALL"

// Build is a built Auth server: the binary and the source it came from,
// whose migrations directory `gotrue migrate` reads.
type Build struct {
	Bin        string
	Migrations string
}

// FindTarball returns the vendored source: $AUTOLYNX_GOTRUE_TARBALL, else
// ../shared/vendor/<Tarball> seen from the repository root at or above dir.
func FindTarball(dir string) (string, error) {
	if p := os.Getenv(EnvTarball); p != "" {
		return p, nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, "..", "shared", "vendor", Tarball)
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("auth server source not found (set %s): %w", EnvTarball, err)
			}
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("auth server source not found: no go.mod above " + dir)
		}
	}
}

// BuildOnce returns the Auth server built from tarball, building it on
// first use into the user's cache directory, keyed by the tarball's
// SHA-256 so a new vendored version builds afresh. A file lock makes
// concurrent callers (test binaries of several packages) wait for one
// build rather than each starting their own. Building takes minutes: the
// Go toolchain fetches the server's dependencies from the module proxy.
func BuildOnce(ctx context.Context, tarball string, log io.Writer) (Build, error) {
	sum, err := fileSHA256(tarball)
	if err != nil {
		return Build{}, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return Build{}, fmt.Errorf("auth server cache: %w", err)
	}
	dir := filepath.Join(cache, "autolynx", "gotrue-"+sum[:16])
	b := Build{Bin: filepath.Join(dir, "gotrue"), Migrations: filepath.Join(dir, "supabase-auth", "migrations")}
	if ready(b) {
		return b, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Build{}, fmt.Errorf("auth server cache: %w", err)
	}
	unlock, err := lockFile(filepath.Join(dir, "lock"))
	if err != nil {
		return Build{}, err
	}
	defer unlock()
	if ready(b) { // built by whoever held the lock before us
		return b, nil
	}
	src := filepath.Join(dir, "supabase-auth")
	if err := os.RemoveAll(src); err != nil {
		return Build{}, err
	}
	if err := run(ctx, dir, log, nil, "tar", "xzf", tarball); err != nil {
		return Build{}, fmt.Errorf("extract auth server source: %w", err)
	}
	tmp := b.Bin + ".tmp"
	if err := run(ctx, src, log, []string{"GOWORK=off", "GOFLAGS=-mod=readonly", "CGO_ENABLED=0"}, "go", "build", "-o", tmp, "."); err != nil {
		return Build{}, fmt.Errorf("build auth server: %w", err)
	}
	if err := os.Rename(tmp, b.Bin); err != nil {
		return Build{}, err
	}
	return b, nil
}

func ready(b Build) bool {
	_, errBin := os.Stat(b.Bin)
	_, errMig := os.Stat(b.Migrations)
	return errBin == nil && errMig == nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("auth server source: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("auth server source: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// lockFile takes an exclusive lock on path, waiting for other processes.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock auth server cache: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock auth server cache: %w", err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func run(ctx context.Context, dir string, log io.Writer, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if log == nil {
		log = io.Discard
	}
	cmd.Stdout, cmd.Stderr = log, log
	return cmd.Run()
}

// Package user keeps the allowlist: who may use AutoLynx and with which
// role. A verified token says who someone is; this package says whether
// they are let in. Admin edits refuse to leave the team without an admin.
package user

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// Role is what a user may do.
type Role string

// Roles.
const (
	Admin    Role = "admin"
	Operator Role = "operator"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Admin || r == Operator }

// Profile is one allowlist entry.
type Profile struct {
	ID          uuid.UUID  `json:"id"`
	Email       string     `json:"email"`
	Role        Role       `json:"role"`
	Allowlisted bool       `json:"allowlisted"`
	CreatedAt   time.Time  `json:"createdAt"`
	LastSeenAt  *time.Time `json:"lastSeenAt"`
}

const profileColumns = `id, email, role, allowlisted, created_at, last_seen_at`

func scanProfile(row pgx.Row) (*Profile, error) {
	var p Profile
	err := row.Scan(&p.ID, &p.Email, &p.Role, &p.Allowlisted, &p.CreatedAt, &p.LastSeenAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.New(problem.NotFound, "user not found")
	}
	if err != nil {
		return nil, fmt.Errorf("read user: %w", err)
	}
	return &p, nil
}

// seen marks the visit (at most once a minute, to keep reads cheap) and
// returns the profile.
const seen = `
update user_profiles set last_seen_at = $2
where id = $1 and (last_seen_at is null or last_seen_at < $2::timestamptz - interval '1 minute')
returning ` + profileColumns

// bootstrap creates the first admin, named by AUTOLYNX_ADMIN_EMAILS, while
// the account has none: a token's email claim is only as good as the
// project's sign-up settings, so once an admin exists the list opens
// nothing and admins invite the rest.
const bootstrap = `
insert into user_profiles (id, email, role, allowlisted, last_seen_at)
select $1, $2, 'admin', true, $3
where not exists (select 1 from user_profiles where role = 'admin' and allowlisted)
on conflict do nothing
returning ` + profileColumns

// SignIn returns the profile of a verified user, creating it as an admin
// when the email is one of adminEmails, no profile exists yet and the
// account has no admin. A user
// without a profile, or not allowlisted, is Forbidden.
func SignIn(ctx context.Context, q db.DBTX, id uuid.UUID, email string, adminEmails []string, now time.Time) (*Profile, error) {
	p, err := scanProfile(q.QueryRow(ctx, seen, id, now))
	if problem.KindOf(err) == problem.NotFound {
		p, err = scanProfile(q.QueryRow(ctx, `select `+profileColumns+` from user_profiles where id = $1`, id))
	}
	if problem.KindOf(err) == problem.NotFound && email != "" && slices.Contains(adminEmails, strings.ToLower(email)) {
		p, err = scanProfile(q.QueryRow(ctx, bootstrap, id, strings.ToLower(email), now))
	}
	if problem.KindOf(err) == problem.NotFound {
		return nil, problem.New(problem.Forbidden, "your account is not on the allowlist; ask an admin to invite you")
	}
	if err != nil {
		return nil, err
	}
	if !p.Allowlisted {
		return nil, problem.New(problem.Forbidden, "your access has been revoked; ask an admin")
	}
	return p, nil
}

// List returns every profile, admins first.
func List(ctx context.Context, q db.DBTX) ([]Profile, error) {
	rows, err := q.Query(ctx, `select `+profileColumns+` from user_profiles order by role, lower(email)`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Profile, error) {
		p, err := scanProfile(r)
		if err != nil {
			return Profile{}, err
		}
		return *p, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// Add allowlists id (the auth user an invite created) with role. Adding an
// email that is already listed re-allowlists it with the new role.
func Add(ctx context.Context, q db.DBTX, id uuid.UUID, email string, role Role) (*Profile, error) {
	p, err := scanProfile(q.QueryRow(ctx, `
		insert into user_profiles (id, email, role, allowlisted) values ($1, lower($2), $3, true)
		on conflict (id) do update set role = excluded.role, allowlisted = true
		returning `+profileColumns, id, email, role))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return nil, problem.New(problem.Conflict, "a user with this email already exists", "field", "email")
	}
	return p, err
}

// Change is an admin's edit of a user.
type Change struct {
	Role        *Role
	Allowlisted *bool
}

// Update applies c to user id on behalf of admin actor. Nobody may demote
// or revoke themself, and the last allowlisted admin cannot be removed;
// the check and the write are one statement so two admins demoting each
// other at once cannot both succeed.
func Update(ctx context.Context, pool db.Beginner, actor, id uuid.UUID, c Change) (*Profile, error) {
	if c.Role != nil && !c.Role.Valid() {
		return nil, problem.New(problem.Invalid, "role must be admin or operator", "field", "role")
	}
	losesAdmin := (c.Role != nil && *c.Role != Admin) || (c.Allowlisted != nil && !*c.Allowlisted)
	if losesAdmin && actor == id {
		return nil, problem.New(problem.Conflict, "you cannot remove your own admin access")
	}
	var out *Profile
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		// Admin edits are rare: serialize them so the last-admin check holds.
		if _, err := tx.Exec(ctx, db.XactLock, db.UsersLock); err != nil {
			return fmt.Errorf("lock users: %w", err)
		}
		cur, err := scanProfile(tx.QueryRow(ctx, `select `+profileColumns+` from user_profiles where id = $1`, id))
		if err != nil {
			return err
		}
		if losesAdmin && cur.Role == Admin && cur.Allowlisted {
			var admins int
			if err := tx.QueryRow(ctx, `select count(*) from user_profiles where role = 'admin' and allowlisted`).Scan(&admins); err != nil {
				return fmt.Errorf("count admins: %w", err)
			}
			if admins <= 1 {
				return problem.New(problem.Conflict, "the last admin cannot be removed")
			}
		}
		out, err = scanProfile(tx.QueryRow(ctx, `
			update user_profiles set role = coalesce($2, role), allowlisted = coalesce($3, allowlisted)
			where id = $1 returning `+profileColumns, id, c.Role, c.Allowlisted))
		return err
	})
	return out, err
}

// Inviter creates (or finds) the auth user for an email and returns its id.
type Inviter interface {
	Invite(ctx context.Context, email string) (uuid.UUID, error)
}

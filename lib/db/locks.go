package db

// Advisory lock keys. Every pg_advisory lock AutoLynx takes is named
// here, so that no two uses share a key by accident. Advisory locks
// belong to one database.
const (
	// MigrateLock serializes concurrent migrators (test binaries, two
	// local runners).
	MigrateLock int64 = 7316001
	// TestTemplateLock lets one of several test binaries sharing a server
	// build the template database (a session lock).
	TestTemplateLock int64 = 7316002
	// UsersLock serializes admin edits of user profiles, so the
	// last-admin check holds.
	UsersLock int64 = 7316003
	// AccountLock serializes every claim of the account (the cap check and
	// the insert of PENDING rows) with campaign transitions.
	AccountLock int64 = 7316010
	// ImportLock is the namespace of the two-key lock (ImportLock,
	// hashtext(campaign id)) that serializes the chunks of one campaign's
	// import.
	ImportLock int64 = 7316011
	// TestCallLock is the namespace of the two-key lock (TestCallLock,
	// hashtext(user id)) that serializes one user's test calls, so the
	// per-user limit holds.
	TestCallLock int64 = 7316012
	// TestCallCampaignLock is the namespace of the two-key lock
	// (TestCallCampaignLock, hashtext(campaign id)) that serializes a
	// campaign's test calls, so it has one live at a time; taken after
	// the user's.
	TestCallCampaignLock int64 = 7316013
	// AuthRoleLock serializes creating the local auth server's role. It
	// is taken in the shared "postgres" database, where no account lives,
	// and has always been AccountLock's number.
	AuthRoleLock = AccountLock
)

// Statements that take a lock until the transaction ends; the key is the
// first argument.
const (
	// XactLock takes key ($1).
	XactLock = `select pg_advisory_xact_lock($1)`
	// XactLockIn takes key ($1) within a namespace: the two-key form, whose
	// second key is hashtext($2::text).
	XactLockIn = `select pg_advisory_xact_lock($1::int, hashtext($2::text))`
)

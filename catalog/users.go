package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// The accounts of the firm's people for the admin web. Like a mailbox, a
// user is named by a keyed hash of the address (so no object name holds
// it), and the record itself is sealed. Password hashes are made and
// checked by the admin web; the catalog stores them as opaque strings.

var (
	// ErrNoUser is wrapped when a user does not exist.
	ErrNoUser = errors.New("no such user")
	// ErrUserExists is wrapped when creating a user whose address has an
	// account already.
	ErrUserExists = errors.New("a user with this address exists")
	// ErrInvalidUser is wrapped when an account's fields are not valid;
	// the error names the field, never its value.
	ErrInvalidUser = errors.New("invalid account")
)

// Role is what a user may do.
type Role string

// The roles, as firms use them. Admins manage mailboxes, matters, settings
// and users; the others see the review items of their own mailboxes and
// the matters they are not walled off from.
const (
	RoleAdmin     Role = "admin"
	RolePartner   Role = "partner"
	RoleAttorney  Role = "attorney"
	RoleParalegal Role = "paralegal"
)

// Roles lists the roles, most powerful first, in a new slice each call.
func Roles() []Role { return []Role{RoleAdmin, RolePartner, RoleAttorney, RoleParalegal} }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Title is the role as a person reads it: "Admin", "Partner"…
func (r Role) Title() string {
	if !r.Valid() {
		return "Unknown"
	}
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}

// ParseRole reads a role from its name, in any case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", errors.New("role must be admin, partner, attorney or paralegal")
	}
	return r, nil
}

// User is a person of the firm who signs in to the admin web.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	Role  Role   `json:"role"`
	// PasswordHash is an argon2id PHC string; empty: no local password
	// (the account cannot sign in with one).
	PasswordHash string `json:"password_hash,omitempty"`
	// MustChangePassword is set for a one-time password: the user sets
	// their own before anything else.
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// Failed counts failed sign-ins since the last success or unlock;
	// LockedUntil is when a lockout ends (zero: not locked).
	Failed      int       `json:"failed,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// Mailboxes are the IDs of the mailboxes whose review items the user
	// sees (their own, and those they work for).
	Mailboxes []string `json:"mailboxes,omitempty"`
	Disabled  bool     `json:"disabled,omitempty"`
	// SessionEpoch is carried by every session of the user; raising it
	// ends them all (sign-out, password change, disabling).
	SessionEpoch int       `json:"session_epoch"`
	Created      time.Time `json:"created"`
	LastSignIn   time.Time `json:"last_sign_in,omitzero"`
}

// Locked reports whether the user is locked out at now.
func (u User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// SeesMailbox reports whether the user sees the review items of mailbox
// mb: an admin sees every mailbox, anyone else their own.
func (u User) SeesMailbox(mb string) bool {
	return u.Role == RoleAdmin || slices.Contains(u.Mailboxes, mb)
}

// WalledFrom reports whether the user is walled off from target tg (an
// ethical wall names the user's address). Walls hold for every role.
func (u User) WalledFrom(tg *classify.Target) bool {
	addr := NormalizeAddress(u.Email)
	return slices.ContainsFunc(tg.Walled, func(w string) bool { return NormalizeAddress(w) == addr })
}

func (u User) clone() User {
	u.Mailboxes = slices.Clone(u.Mailboxes)
	return u
}

// maxUserName bounds a user's display name, in bytes.
const maxUserName = 200

// validate checks a user record before it is stored. Errors name the
// field, never its value.
func (u User) validate() error {
	if err := ValidateUserEmail(u.Email); err != nil {
		return err
	}
	if len(u.Name) > maxUserName || strings.ContainsFunc(u.Name, unicode.IsControl) {
		return fmt.Errorf("name is longer than %d bytes or has control characters: %w", maxUserName, ErrInvalidUser)
	}
	if !u.Role.Valid() {
		return fmt.Errorf("role must be admin, partner, attorney or paralegal: %w", ErrInvalidUser)
	}
	for _, mb := range u.Mailboxes {
		if ids.Validate("mailbox", mb) != nil {
			return fmt.Errorf("a mailbox ID is not canonical: %w", ErrInvalidUser)
		}
	}
	if u.Failed < 0 || u.SessionEpoch < 1 {
		return fmt.Errorf("failed count or session epoch out of range: %w", ErrInvalidUser)
	}
	return nil
}

// ValidateUserEmail checks the shape of an account's address: one @, a
// local part and a dotted domain, no space or control character. Its
// errors wrap ErrInvalidUser and never quote the address.
func ValidateUserEmail(addr string) error {
	local, domain, ok := strings.Cut(addr, "@")
	var why string
	switch {
	case len(addr) > 254:
		why = "email address is longer than 254 bytes"
	case !ok || local == "" || domain == "" || strings.Contains(domain, "@"):
		why = "email address wants the form name@domain"
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, "."):
		why = "email address wants a dotted domain"
	case strings.ContainsFunc(addr, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' }):
		why = "email address has a space, control character or angle bracket"
	default:
		return nil
	}
	return fmt.Errorf("%s: %w", why, ErrInvalidUser)
}

// userID names the account of addr by a keyed hash, as mailboxID does.
func (t *Tenant) userID(addr string) (string, error) {
	addr = NormalizeAddress(addr)
	if addr == "" {
		return "", errors.New("user address is empty")
	}
	id, err := t.s.DeriveID("user", []byte(addr))
	if err != nil {
		return "", err
	}
	return "u-" + id[:24], nil
}

func (t *Tenant) userPlace(id string) (sealed.Place, error) {
	key, err := storage.UserKey(t.ID, id)
	if err != nil {
		return sealed.Place{}, err
	}
	return sealed.Place{Key: key, Kind: sealed.KindRecord}, nil
}

// CreateUser records a new account, by actor by. Its ID is derived from
// the address; SessionEpoch and Created are set here. It fails with
// ErrUserExists if the address has an account, and is audited as
// user.create (ID and role, never the address).
func (t *Tenant) CreateUser(ctx context.Context, u User, by string) (User, error) {
	u.Email = NormalizeAddress(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if err := ValidateUserEmail(u.Email); err != nil {
		return User{}, err
	}
	id, err := t.userID(u.Email)
	if err != nil {
		return User{}, err
	}
	u.ID, u.SessionEpoch, u.Created = id, 1, time.Now().UTC()
	u.Failed, u.LockedUntil, u.LastSignIn = 0, time.Time{}, time.Time{}
	if err := u.validate(); err != nil {
		return User{}, err
	}
	objs := map[string]string{"user": id}
	detail := "role " + string(u.Role)
	if err := t.auditable(by, audit.ActionUserCreate, objs, detail); err != nil {
		return User{}, err
	}
	p, err := t.userPlace(id)
	if err != nil {
		return User{}, err
	}
	if err := t.putJSON(ctx, p, u, storage.PutOptions{CreateOnly: true}); err != nil {
		if errors.Is(err, storage.ErrExists) {
			return User{}, fmt.Errorf("tenant %s user %s: %w", t.ID, id, ErrUserExists)
		}
		return User{}, fmt.Errorf("tenant %s user %s: %w", t.ID, id, err)
	}
	return u, t.audit(ctx, by, audit.ActionUserCreate, objs, audit.OK, detail)
}

// User returns the account with the given ID, or an error wrapping
// ErrNoUser.
func (t *Tenant) User(ctx context.Context, id string) (User, error) {
	u, _, err := t.readUser(ctx, id)
	return u, err
}

// readUser returns the account and the ETag to replace it under. The ETag
// is read first: if the record changes between the two reads, a put
// conditional on the ETag fails and the change is made again.
func (t *Tenant) readUser(ctx context.Context, id string) (User, string, error) {
	p, err := t.userPlace(id)
	if err != nil {
		return User{}, "", err
	}
	info, err := t.s.Stat(ctx, p.Key)
	if err == nil {
		var u User
		err = t.getJSON(ctx, p, &u)
		if err == nil && u.ID != id {
			err = fmt.Errorf("record names another user: %w", sealed.ErrIntegrity)
		}
		if err == nil {
			return u, info.ETag, nil
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		return User{}, "", fmt.Errorf("tenant %s user %s: %w", t.ID, id, ErrNoUser)
	}
	return User{}, "", fmt.Errorf("tenant %s user %s: %w", t.ID, id, err)
}

// UserByEmail returns the account of addr (compared case-insensitively),
// or an error wrapping ErrNoUser.
func (t *Tenant) UserByEmail(ctx context.Context, addr string) (User, error) {
	id, err := t.userID(addr)
	if err != nil {
		return User{}, fmt.Errorf("tenant %s: %w: %v", t.ID, ErrNoUser, err)
	}
	u, err := t.User(ctx, id)
	if err != nil {
		return User{}, err
	}
	if u.Email != NormalizeAddress(addr) {
		return User{}, fmt.Errorf("tenant %s user %s: record holds another address: %w", t.ID, id, sealed.ErrIntegrity)
	}
	return u, nil
}

// Users lists the tenant's accounts by address.
func (t *Tenant) Users(ctx context.Context) ([]User, error) {
	prefix, err := storage.UsersPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return nil, fmt.Errorf("tenant %s users: %w", t.ID, err)
	}
	out := make([]User, 0, len(keys))
	for _, k := range keys {
		u, err := t.User(ctx, strings.TrimPrefix(k, prefix))
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

// maxUserAttempts bounds how often a change of an account is re-applied
// after losing the race to another writer (a sign-in, an admin).
const maxUserAttempts = 16

// changeUser applies change to the stored account and saves it only if
// nobody saved it meanwhile, re-reading and re-applying otherwise. Nothing
// is written if change leaves the account as it was.
func (t *Tenant) changeUser(ctx context.Context, id string, change func(*User) error) (before, after User, err error) {
	p, err := t.userPlace(id)
	if err != nil {
		return User{}, User{}, err
	}
	for range maxUserAttempts {
		u, etag, err := t.readUser(ctx, id)
		if err != nil {
			return User{}, User{}, err
		}
		before = u.clone()
		if err := change(&u); err != nil {
			return User{}, User{}, err
		}
		if u.ID != before.ID || u.Email != before.Email || !u.Created.Equal(before.Created) {
			return User{}, User{}, fmt.Errorf("tenant %s user %s: the ID, address and creation time do not change", t.ID, id)
		}
		if err := u.validate(); err != nil {
			return User{}, User{}, fmt.Errorf("tenant %s user %s: %w", t.ID, id, err)
		}
		if len(userChanges(before, u)) == 0 {
			return before, u, nil
		}
		err = t.putJSON(ctx, p, u, storage.PutOptions{IfMatch: etag})
		if errors.Is(err, storage.ErrPrecondition) || errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return User{}, User{}, fmt.Errorf("tenant %s user %s: %w", t.ID, id, err)
		}
		return before, u, nil
	}
	return User{}, User{}, fmt.Errorf("tenant %s user %s: changed by others %d times in a row", t.ID, id, maxUserAttempts)
}

// UpdateUser changes account id through change, by actor by, and audits
// the names of the fields that changed as user.update. A new password or
// disabling the account also ends its sessions (the session epoch rises).
// The sign-in bookkeeping has UpdateSignIn; unlocking has UnlockUser.
func (t *Tenant) UpdateUser(ctx context.Context, id, by string, change func(*User) error) (User, error) {
	objs := map[string]string{"user": id}
	if err := t.auditable(by, audit.ActionUserUpdate, objs, ""); err != nil {
		return User{}, err
	}
	before, after, err := t.changeUser(ctx, id, func(u *User) error {
		old := u.clone()
		if err := change(u); err != nil {
			return err
		}
		u.Name = strings.TrimSpace(u.Name)
		if u.PasswordHash != old.PasswordHash || u.Disabled && !old.Disabled {
			u.SessionEpoch = max(u.SessionEpoch, old.SessionEpoch) + 1
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	changed := userChanges(before, after)
	if len(changed) == 0 {
		return after, nil
	}
	return after, t.audit(ctx, by, audit.ActionUserUpdate, objs, audit.OK, "changed: "+strings.Join(changed, ", "))
}

// UnlockUser ends account id's lockout and clears its failed sign-ins, by
// actor by, audited as user.unlock. An account that is not locked and has
// no failed sign-in is left alone, unaudited.
func (t *Tenant) UnlockUser(ctx context.Context, id, by string) (User, error) {
	objs := map[string]string{"user": id}
	if err := t.auditable(by, audit.ActionUserUnlock, objs, ""); err != nil {
		return User{}, err
	}
	before, after, err := t.changeUser(ctx, id, func(u *User) error {
		u.Failed, u.LockedUntil = 0, time.Time{}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	if len(userChanges(before, after)) == 0 {
		return after, nil
	}
	detail := fmt.Sprintf("%d failed sign-ins cleared", before.Failed)
	return after, t.audit(ctx, by, audit.ActionUserUnlock, objs, audit.OK, detail)
}

// signInFields are the fields UpdateSignIn may change.
var signInFields = []string{"failed", "locked_until", "last_sign_in", "session_epoch"}

// UpdateSignIn changes the sign-in bookkeeping of account id (failed
// attempts, lockout, last sign-in, session epoch) through change. It is
// not audited here: its caller records the attempt, with the source IP, as
// login or logout, which is the audit of this change. A change of any
// other field is refused.
func (t *Tenant) UpdateSignIn(ctx context.Context, id string, change func(*User) error) (User, error) {
	_, after, err := t.changeUser(ctx, id, func(u *User) error {
		old := u.clone()
		if err := change(u); err != nil {
			return err
		}
		for _, f := range userChanges(old, *u) {
			if !slices.Contains(signInFields, f) {
				return fmt.Errorf("tenant %s user %s: %s is not sign-in bookkeeping", t.ID, id, f)
			}
		}
		return nil
	})
	return after, err
}

// userChanges names the fields that differ between a and b.
func userChanges(a, b User) []string {
	var out []string
	for _, c := range []struct {
		name string
		diff bool
	}{
		{"name", a.Name != b.Name},
		{"role", a.Role != b.Role},
		{"password", a.PasswordHash != b.PasswordHash},
		{"must_change_password", a.MustChangePassword != b.MustChangePassword},
		{"mailboxes", !slices.Equal(a.Mailboxes, b.Mailboxes)},
		{"disabled", a.Disabled != b.Disabled},
		{"failed", a.Failed != b.Failed},
		{"locked_until", !a.LockedUntil.Equal(b.LockedUntil)},
		{"last_sign_in", !a.LastSignIn.Equal(b.LastSignIn)},
		{"session_epoch", a.SessionEpoch != b.SessionEpoch},
	} {
		if c.diff {
			out = append(out, c.name)
		}
	}
	return out
}

// SessionAEAD returns the AEAD that seals the tenant's admin web session
// cookies, making its key on first use. The key is created create-only, so
// of several processes serving the admin web one key wins and all of them
// use it; it is sealed like any secret of the tenant.
func (t *Tenant) SessionAEAD(ctx context.Context) (tink.AEAD, error) {
	key, err := storage.SessionKeyKey(t.ID)
	if err != nil {
		return nil, err
	}
	p := sealed.Place{Key: key, Kind: sealed.KindSecret}
	data, err := t.s.GetRecord(ctx, p)
	if errors.Is(err, storage.ErrNotFound) {
		h, herr := keyset.NewHandle(aead.AES256GCMKeyTemplate())
		if herr != nil {
			return nil, fmt.Errorf("tenant %s session key: %w", t.ID, herr)
		}
		// The keyset is written in clear inside a record sealed under the
		// tenant's keyset (AD: tenant, key, kind): wrapped like every
		// other secret of the tenant, and shredded with it.
		var buf bytes.Buffer
		if werr := insecurecleartextkeyset.Write(h, keyset.NewBinaryWriter(&buf)); werr != nil {
			return nil, fmt.Errorf("tenant %s session key: %w", t.ID, werr)
		}
		if perr := t.s.PutRecord(ctx, p, buf.Bytes(), storage.PutOptions{CreateOnly: true}); perr != nil && !errors.Is(perr, storage.ErrExists) {
			return nil, fmt.Errorf("tenant %s session key: %w", t.ID, perr)
		}
		data, err = t.s.GetRecord(ctx, p)
	}
	if err != nil {
		return nil, fmt.Errorf("tenant %s session key: %w", t.ID, err)
	}
	h, err := insecurecleartextkeyset.Read(keyset.NewBinaryReader(bytes.NewReader(data)))
	if err != nil {
		return nil, fmt.Errorf("tenant %s session key is malformed: %w", t.ID, sealed.ErrIntegrity)
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("tenant %s session key: %w", t.ID, err)
	}
	return a, nil
}

package storage

import (
	"fmt"
	"strconv"

	"github.com/matterfile/matterfile/ids"
)

// The layout below is the only place object keys are built. Every function
// validates its IDs first, so a caller cannot smuggle a header value, a
// filename or a path trick into a key even by mistake.
//
//	registry/tenants/<t>                                         tenant marker
//	registry/terminations/<t>                                    tenant's engagement ended; shred due at (plain: IDs and times)
//	tenants/<t>/keys/tenant, tenant-<gen>                        tenant keysets, wrapped by the root key (key store)
//	tenants/<t>/keys/clients/<c>/<gen>                           client keysets, wrapped by the tenant's (key store)
//	tenants/<t>/matters/registry                                 matters and contracts
//	tenants/<t>/settings                                         the firm's own settings
//	tenants/<t>/retention                                        retention periods of closed matters
//	tenants/<t>/mailboxes/<mb>                                   mailbox record
//	tenants/<t>/users/<u>                                        account of a person of the firm (admin web)
//	tenants/<t>/inbox/<mb>/<msg>                                 raw message awaiting filing
//	tenants/<t>/index/<msg>                                      where a filed message lies
//	tenants/<t>/failures/<msg>                                   why a message could not be filed
//	tenants/<t>/reviews/<msg>                                    a reviewer's decision on a message in review
//	tenants/<t>/events/<event>                                   follow-up events
//	tenants/<t>/secrets/<mb>                                     mailbox credentials (token, service-account key)
//	tenants/<t>/secrets/webhook                                  the firm's webhook: URL and signing secret
//	tenants/<t>/secrets/sessions                                 the key sealing the admin web's session cookies
//	tenants/<t>/webhook-delivered/<event>                        an event delivered to the webhook
//	tenants/<t>/webhook-failures/<event>                         an event the webhook never accepted (dead letter)
//	tenants/<t>/gmail/<mb>/state                                 Gmail sync state: cursor, status
//	tenants/<t>/gmail/<mb>/pending/<gmail id>                    Gmail message found by a sync, not yet filed
//	tenants/<t>/gmail/<mb>/filed/<gmail id>                      Gmail message filed, and under which labels
//	tenants/<t>/clients/<c>/matters/<m>/messages/<msg>/raw       filed message
//	tenants/<t>/clients/<c>/matters/<m>/messages/<msg>/manifest-<gen>
//	tenants/<t>/clients/<c>/matters/<m>/messages/<msg>/parts/<n>
//	tenants/<t>/review/messages/<msg>/...                        in review, same sub-layout
//	tenants/<t>/bench/<n>                                        'matterfile bench' floor objects (throwaway tenant)

// TenantsPrefix lists the tenant markers.
const TenantsPrefix = "registry/tenants/"

// TenantMarkerKey marks that tenant t exists.
func TenantMarkerKey(t string) (string, error) {
	if err := ids.Validate("tenant", t); err != nil {
		return "", err
	}
	return TenantsPrefix + t, nil
}

// TenantPrefix is the root of everything tenant t owns.
func TenantPrefix(t string) (string, error) {
	if err := ids.Validate("tenant", t); err != nil {
		return "", err
	}
	return "tenants/" + t + "/", nil
}

func tenantKey(t string, rest ...string) (string, error) {
	p, err := TenantPrefix(t)
	if err != nil {
		return "", err
	}
	for i, r := range rest {
		if i > 0 {
			p += "/"
		}
		p += r
	}
	return p, nil
}

// TenantKeysetKey holds tenant t's keysets, wrapped by the root key.
func TenantKeysetKey(t string) (string, error) { return tenantKey(t, "keys", "tenant") }

// TenantKeysetGenKey holds generation gen of tenant t's keysets: 1 is the
// keyset made with the tenant, each rotation adds the next.
func TenantKeysetGenKey(t string, gen int) (string, error) {
	if gen < 1 {
		return "", fmt.Errorf("keyset generation %d: %w", gen, ids.ErrInvalid)
	}
	if gen == 1 {
		return TenantKeysetKey(t)
	}
	return tenantKey(t, "keys", "tenant-"+strconv.Itoa(gen))
}

// TenantKeysetsPrefix lists tenant t's keyset generations.
func TenantKeysetsPrefix(t string) (string, error) { return tenantKey(t, "keys/") }

// SettingsKey holds tenant t's settings.
func SettingsKey(t string) (string, error) { return tenantKey(t, "settings") }

// MattersKey holds tenant t's registry of matters and contracts.
func MattersKey(t string) (string, error) { return tenantKey(t, "matters", "registry") }

// ThreadKey records where the conversation known under id (a keyed hash of
// a Message-ID or a Gmail thread) of tenant t was last filed.
func ThreadKey(t, id string) (string, error) {
	if err := ids.Validate("thread", id); err != nil {
		return "", err
	}
	return tenantKey(t, "threads", id)
}

// ReviewKey records a reviewer's decision on message msg of tenant t while
// it is in review (a dismissal). It lies apart from the message's own
// objects, which are create-only.
func ReviewKey(t, msg string) (string, error) {
	if err := ids.Validate("message", msg); err != nil {
		return "", err
	}
	return tenantKey(t, "reviews", msg)
}

// ReviewsPrefix lists tenant t's review decisions.
func ReviewsPrefix(t string) (string, error) { return tenantKey(t, "reviews/") }

// IdentityKey records which message of tenant t holds the content known
// under id (a keyed hash of its Message-ID and body), so that a copy of it
// from another mailbox adds a custodian instead of a second message.
func IdentityKey(t, id string) (string, error) {
	if err := ids.Validate("identity", id); err != nil {
		return "", err
	}
	return tenantKey(t, "identities", id)
}

// CustodianKey records that mailbox mb of tenant t holds a copy of message
// msg besides the one filed.
func CustodianKey(t, msg, mb string) (string, error) {
	if err := ids.Validate("message", msg); err != nil {
		return "", err
	}
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	return tenantKey(t, "custodians", msg, mb)
}

// CopyKey says which message of tenant t the copy msg (other bytes, the
// same message from another mailbox) was merged into.
func CopyKey(t, msg string) (string, error) {
	if err := ids.Validate("message", msg); err != nil {
		return "", err
	}
	return tenantKey(t, "copies", msg)
}

// CustodiansPrefix lists the custodian records of message msg of tenant t.
func CustodiansPrefix(t, msg string) (string, error) {
	if err := ids.Validate("message", msg); err != nil {
		return "", err
	}
	return tenantKey(t, "custodians", msg+"/")
}

// ExportSigningKey holds tenant t's export signing key, sealed.
func ExportSigningKey(t string) (string, error) { return tenantKey(t, "export-key") }

// ExportVerifierKey holds the public key that verifies tenant t's exports,
// plain and outside the tenant, so that a recipient can be given it and it
// outlives the tenant.
func ExportVerifierKey(t string) (string, error) {
	if err := ids.Validate("tenant", t); err != nil {
		return "", err
	}
	return "registry/export-keys/" + t, nil
}

// MailboxKey holds the record of mailbox mb of tenant t.
func MailboxKey(t, mb string) (string, error) {
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	return tenantKey(t, "mailboxes", mb)
}

// MailboxesPrefix lists tenant t's mailboxes.
func MailboxesPrefix(t string) (string, error) { return tenantKey(t, "mailboxes/") }

// UserKey holds the account of user u of tenant t.
func UserKey(t, u string) (string, error) {
	if err := ids.Validate("user", u); err != nil {
		return "", err
	}
	return tenantKey(t, "users", u)
}

// UsersPrefix lists tenant t's user accounts.
func UsersPrefix(t string) (string, error) { return tenantKey(t, "users/") }

// SessionKeyKey holds the key that seals tenant t's admin web session
// cookies. It lies among the secrets; "sessions" is no mailbox ID (those
// start "mb-").
func SessionKeyKey(t string) (string, error) { return tenantKey(t, "secrets", "sessions") }

// InboxKey holds a raw message from mailbox mb that awaits filing.
func InboxKey(t, mb, msg string) (string, error) {
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	if err := ids.Validate("message", msg); err != nil {
		return "", err
	}
	return tenantKey(t, "inbox", mb, msg)
}

// InboxPrefix lists every message of tenant t that awaits filing.
func InboxPrefix(t string) (string, error) { return tenantKey(t, "inbox/") }

// IndexKey says where message msg of tenant t lies once filed.
func IndexKey(t, msg string) (string, error) {
	if err := ids.Validate("message", msg); err != nil {
		return "", err
	}
	return tenantKey(t, "index", msg)
}

// IndexPrefix lists every filed message of tenant t.
func IndexPrefix(t string) (string, error) { return tenantKey(t, "index/") }

// FailureKey records why message msg of tenant t could not be filed.
func FailureKey(t, msg string) (string, error) {
	if err := ids.Validate("message", msg); err != nil {
		return "", err
	}
	return tenantKey(t, "failures", msg)
}

// FailuresPrefix lists tenant t's failure records.
func FailuresPrefix(t string) (string, error) { return tenantKey(t, "failures/") }

// EventKey holds follow-up event ev of tenant t.
func EventKey(t, ev string) (string, error) {
	if err := ids.Validate("event", ev); err != nil {
		return "", err
	}
	return tenantKey(t, "events", ev)
}

// MessagePlace names where a message is filed: a client's matter, or the
// tenant's review area when Review is set (a message in review has no client
// or matter yet).
type MessagePlace struct {
	Tenant  string
	Client  string
	Matter  string
	Review  bool
	Message string
}

// Validate checks every ID of the place.
func (p MessagePlace) Validate() error {
	if err := ids.Validate("tenant", p.Tenant); err != nil {
		return err
	}
	if err := ids.Validate("message", p.Message); err != nil {
		return err
	}
	if p.Review {
		if p.Client != "" || p.Matter != "" {
			return fmt.Errorf("review place names a client or matter: %w", ErrInvalidKey)
		}
		return nil
	}
	if err := ids.Validate("client", p.Client); err != nil {
		return err
	}
	return ids.Validate("matter", p.Matter)
}

// Dir is the prefix, ending in "/", under which the message's objects lie.
func (p MessagePlace) Dir() (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	if p.Review {
		return tenantKey(p.Tenant, "review", "messages", p.Message+"/")
	}
	return tenantKey(p.Tenant, "clients", p.Client, "matters", p.Matter, "messages", p.Message+"/")
}

// RawKey holds the exact bytes of the message.
func (p MessagePlace) RawKey() (string, error) {
	d, err := p.Dir()
	return d + "raw", err
}

// ManifestKey holds generation gen of the message's manifest.
func (p MessagePlace) ManifestKey(gen int) (string, error) {
	if gen < 1 {
		return "", fmt.Errorf("manifest generation %d: %w", gen, ErrInvalidKey)
	}
	d, err := p.Dir()
	return d + "manifest-" + strconv.Itoa(gen), err
}

// PartKey holds derived part n (text, html, attachment) of the message.
func (p MessagePlace) PartKey(n int) (string, error) {
	if n < 0 {
		return "", fmt.Errorf("part %d: %w", n, ErrInvalidKey)
	}
	d, err := p.Dir()
	return d + "parts/" + strconv.Itoa(n), err
}

// SecretKey holds the credentials of mailbox mb of tenant t.
func SecretKey(t, mb string) (string, error) {
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	return tenantKey(t, "secrets", mb)
}

// WebhookKey holds tenant t's webhook: its URL and signing secret. It lies
// among the secrets; "webhook" is no mailbox ID (those start "mb-").
func WebhookKey(t string) (string, error) { return tenantKey(t, "secrets", "webhook") }

// WebhookDeliveryKey records that event ev of tenant t was delivered.
func WebhookDeliveryKey(t, ev string) (string, error) {
	if err := ids.Validate("event", ev); err != nil {
		return "", err
	}
	return tenantKey(t, "webhook-delivered", ev)
}

// WebhookFailureKey records that event ev of tenant t was never accepted
// by the webhook.
func WebhookFailureKey(t, ev string) (string, error) {
	if err := ids.Validate("event", ev); err != nil {
		return "", err
	}
	return tenantKey(t, "webhook-failures", ev)
}

// WebhookFailuresPrefix lists tenant t's undelivered events.
func WebhookFailuresPrefix(t string) (string, error) { return tenantKey(t, "webhook-failures/") }

// GmailStateKey holds the Gmail sync state of mailbox mb of tenant t.
func GmailStateKey(t, mb string) (string, error) {
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	return tenantKey(t, "gmail", mb, "state")
}

// GmailPendingKey records that Gmail message gid of mailbox mb awaits
// filing. Gmail ids are lower-case hex, a canonical ID.
func GmailPendingKey(t, mb, gid string) (string, error) {
	if err := ids.Validate("gmail message", gid); err != nil {
		return "", err
	}
	p, err := GmailPendingPrefix(t, mb)
	if err != nil {
		return "", err
	}
	return p + gid, nil
}

// GmailPendingPrefix lists the pending Gmail messages of mailbox mb.
func GmailPendingPrefix(t, mb string) (string, error) {
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	return tenantKey(t, "gmail", mb, "pending/")
}

// GmailFiledKey records that Gmail message gid of mailbox mb is filed.
func GmailFiledKey(t, mb, gid string) (string, error) {
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	if err := ids.Validate("gmail message", gid); err != nil {
		return "", err
	}
	return tenantKey(t, "gmail", mb, "filed", gid)
}

// GmailFiledPrefix lists the filed markers of mailbox mb.
func GmailFiledPrefix(t, mb string) (string, error) {
	if err := ids.Validate("mailbox", mb); err != nil {
		return "", err
	}
	return tenantKey(t, "gmail", mb, "filed/")
}

// ClientKeysetsPrefix lists the keyset generations of client c of tenant t,
// wrapped by the tenant's keysets: deleting them makes every object of the
// client unreadable. Like the tenant's, they live in the key store.
func ClientKeysetsPrefix(t, c string) (string, error) {
	if err := ids.Validate("client", c); err != nil {
		return "", err
	}
	return tenantKey(t, "keys", "clients", c+"/")
}

// ClientKeysetGenKey holds generation gen of client c's keysets.
func ClientKeysetGenKey(t, c string, gen int) (string, error) {
	if gen < 1 {
		return "", fmt.Errorf("keyset generation %d: %w", gen, ids.ErrInvalid)
	}
	p, err := ClientKeysetsPrefix(t, c)
	if err != nil {
		return "", err
	}
	return p + strconv.Itoa(gen), nil
}

// ReencryptKey records the progress of re-encrypting tenant t's objects
// under its current primary keys.
func ReencryptKey(t string) (string, error) { return tenantKey(t, "reencrypt") }

// BenchPrefix holds the objects 'matterfile bench' writes for its floor
// (the raw bytes sealed and put with no pipeline) in its throwaway tenant t.
func BenchPrefix(t string) (string, error) { return tenantKey(t, "bench/") }

// BenchKey holds the floor's copy of message n of a bench run in tenant t.
func BenchKey(t string, n int) (string, error) {
	if n < 0 {
		return "", fmt.Errorf("bench object %d: %w", n, ids.ErrInvalid)
	}
	return tenantKey(t, "bench", strconv.Itoa(n))
}

// HoldKey holds legal hold h of tenant t.
func HoldKey(t, h string) (string, error) {
	if err := ids.Validate("hold", h); err != nil {
		return "", err
	}
	return tenantKey(t, "holds", h)
}

// HoldsPrefix lists tenant t's legal holds.
func HoldsPrefix(t string) (string, error) { return tenantKey(t, "holds/") }

// ClientPrefix is the root of everything filed for client c of tenant t.
func ClientPrefix(t, c string) (string, error) {
	if err := ids.Validate("client", c); err != nil {
		return "", err
	}
	return tenantKey(t, "clients", c+"/")
}

// ClientErasureKey records the erasure of client c of tenant t.
func ClientErasureKey(t, c string) (string, error) {
	if err := ids.Validate("client", c); err != nil {
		return "", err
	}
	return tenantKey(t, "erasures", c)
}

// TenantErasureKey records the erasure of tenant t. It lies outside the
// tenant's space and holds IDs and times only, so that it outlives the
// tenant's keys and objects.
func TenantErasureKey(t string) (string, error) {
	if err := ids.Validate("tenant", t); err != nil {
		return "", err
	}
	return "registry/erasures/" + t, nil
}

// MatterPrefix is the root of everything filed to matter m of client c of
// tenant t.
func MatterPrefix(t, c, m string) (string, error) {
	if err := ids.Validate("matter", m); err != nil {
		return "", err
	}
	p, err := ClientPrefix(t, c)
	if err != nil {
		return "", err
	}
	return p + "matters/" + m + "/", nil
}

// TerminationsPrefix lists the termination records of tenants.
const TerminationsPrefix = "registry/terminations/"

// TenantTerminationKey records that tenant t's engagement ended and when
// its data is due to be shredded. Like the erasure record it lies outside
// the tenant's space and holds IDs and times only: the retention sweep
// reads it without the tenant's keys, and it outlives them.
func TenantTerminationKey(t string) (string, error) {
	if err := ids.Validate("tenant", t); err != nil {
		return "", err
	}
	return TerminationsPrefix + t, nil
}

// RetentionKey holds tenant t's retention periods of closed matters.
func RetentionKey(t string) (string, error) { return tenantKey(t, "retention") }

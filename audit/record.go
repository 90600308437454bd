package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/matterfile/matterfile/ids"
)

// Record is one entry of a tenant's audit log. Consumers fill Actor,
// Action, Objects, Outcome, Detail and SourceIP; the log fills Seq, Time and
// Prev, overwriting whatever the consumer put there.
type Record struct {
	// Seq is the record's position in the log, from 1, without gaps.
	Seq uint64
	// Time is when the log accepted the record, in UTC.
	Time time.Time
	// Actor is who acted: "cli:<os user>", "admin:<id>", "user:<id>" or
	// "system:<task>".
	Actor string
	// Action is what was done, from the fixed vocabulary (see Actions).
	Action Action
	// Objects names what was acted on, by kind ("tenant", "client",
	// "matter", "message", "mailbox", "hold"…), IDs only.
	Objects map[string]string
	// Outcome is OK, Refused or Failed.
	Outcome Outcome
	// Detail is a short note: IDs, counts, error classes. Never a subject,
	// address, filename, header value or token.
	Detail string
	// SourceIP is the client's address for actions that came over the
	// network (logins, admin pages).
	SourceIP string
	// Prev is the SHA-256 of the previous record's canonical encoding; zero
	// for the first record.
	Prev Hash
}

// Hash is a SHA-256 digest; it prints as lower-case hex.
type Hash [sha256.Size]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

func parseHash(s string) (Hash, bool) {
	var h Hash
	if len(s) != 2*len(h) || strings.ToLower(s) != s {
		return Hash{}, false
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, false
	}
	return h, true
}

// Action is what a record says was done. The vocabulary is closed, so that
// an action can never carry free text into the log.
type Action string

// The actions a record may name.
const (
	ActionTenantCreate        Action = "tenant.create"
	ActionTenantTerminate     Action = "tenant.terminate"
	ActionTenantShred         Action = "tenant.shred"
	ActionTenantReinstate     Action = "tenant.reinstate"
	ActionClientCreate        Action = "client.create"
	ActionClientDelete        Action = "client.delete"
	ActionMatterCreate        Action = "matter.create"
	ActionMatterUpdate        Action = "matter.update"
	ActionMatterClose         Action = "matter.close"
	ActionMatterDelete        Action = "matter.delete"
	ActionContractUpdate      Action = "contract.update"
	ActionSettingsUpdate      Action = "settings.update"
	ActionRetentionSet        Action = "retention.set"
	ActionKeysRotate          Action = "keys.rotate"
	ActionKeysReencrypt       Action = "keys.reencrypt"
	ActionKeysDestroy         Action = "keys.destroy"
	ActionHoldPlace           Action = "hold.place"
	ActionHoldRelease         Action = "hold.release"
	ActionMessageFile         Action = "message.file"
	ActionMessageRefile       Action = "message.refile"
	ActionMessageReview       Action = "message.review"
	ActionMessageDelete       Action = "message.delete"
	ActionMailboxConnect      Action = "mailbox.connect"
	ActionMailboxDisconnect   Action = "mailbox.disconnect"
	ActionMailboxReconnect    Action = "mailbox.reconnect"
	ActionMailboxPause        Action = "mailbox.pause"
	ActionMailboxResume       Action = "mailbox.resume"
	ActionMailboxSync         Action = "mailbox.sync"
	ActionLogin               Action = "login"
	ActionLogout              Action = "logout"
	ActionAccessDenied        Action = "access.denied"
	ActionUserCreate          Action = "user.create"
	ActionUserUpdate          Action = "user.update"
	ActionUserUnlock          Action = "user.unlock"
	ActionIntegrityFailure    Action = "integrity.failure"
	ActionExport              Action = "export"
	ActionSubjectAccessExport Action = "export.subject-access"
	ActionAuditVerify         Action = "audit.verify"
)

// Actions returns the vocabulary, in a new slice each call.
func Actions() []Action {
	return []Action{
		ActionTenantCreate, ActionTenantTerminate, ActionTenantShred, ActionTenantReinstate,
		ActionClientCreate, ActionClientDelete,
		ActionMatterCreate, ActionMatterUpdate, ActionMatterClose, ActionMatterDelete,
		ActionContractUpdate, ActionSettingsUpdate, ActionRetentionSet,
		ActionKeysRotate, ActionKeysReencrypt, ActionKeysDestroy,
		ActionHoldPlace, ActionHoldRelease,
		ActionMessageFile, ActionMessageRefile, ActionMessageReview, ActionMessageDelete,
		ActionMailboxConnect, ActionMailboxDisconnect, ActionMailboxReconnect,
		ActionMailboxPause, ActionMailboxResume, ActionMailboxSync,
		ActionLogin, ActionLogout, ActionAccessDenied, ActionIntegrityFailure,
		ActionUserCreate, ActionUserUpdate, ActionUserUnlock,
		ActionExport, ActionSubjectAccessExport, ActionAuditVerify,
	}
}

// Valid reports whether a is in the vocabulary.
func (a Action) Valid() bool { return slices.Contains(Actions(), a) }

// Outcome is how an action ended.
type Outcome string

// The outcomes.
const (
	OK      Outcome = "ok"
	Refused Outcome = "refused"
	Failed  Outcome = "failed"
)

// Bounds that keep a record an index of what happened rather than a place
// to put content.
const (
	maxActor   = 128
	maxDetail  = 256
	maxObjects = 16
)

// ErrInvalid is wrapped when a record does not meet the rules above: the
// log refuses it rather than store something it cannot vouch for.
var ErrInvalid = errors.New("invalid audit record")

// validate checks what a consumer filled in. Its errors name the field and
// never quote the value, which may be exactly what must not leak.
func (r Record) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrInvalid)
	}
	kind, name, ok := strings.Cut(r.Actor, ":")
	switch {
	case !ok || !slices.Contains([]string{"cli", "admin", "user", "system"}, kind):
		return bad("actor is not cli:, admin:, user: or system:")
	case name == "" || len(r.Actor) > maxActor:
		return bad("actor name is empty or longer than %d bytes", maxActor)
	case !visibleASCII(name, false):
		return bad("actor name has a byte outside visible ASCII")
	}
	if !r.Action.Valid() {
		return bad("action is not in the vocabulary")
	}
	if len(r.Objects) > maxObjects {
		return bad("%d objects, more than %d", len(r.Objects), maxObjects)
	}
	for k, v := range r.Objects {
		if !ids.Valid(k) {
			return bad("an object kind is not a canonical id")
		}
		if err := ids.Validate(k, v); err != nil {
			return bad("object %s: %v", k, err)
		}
	}
	if !slices.Contains([]Outcome{OK, Refused, Failed}, r.Outcome) {
		return bad("outcome is not ok, refused or failed")
	}
	if len(r.Detail) > maxDetail || !visibleASCII(r.Detail, true) {
		return bad("detail is longer than %d bytes or not printable ASCII", maxDetail)
	}
	if r.SourceIP != "" {
		ip, err := netip.ParseAddr(r.SourceIP)
		if err != nil || ip.Zone() != "" {
			return bad("source ip is not an IP address")
		}
	}
	return nil
}

// visibleASCII rejects control characters (no forged lines in a listing)
// and non-ASCII (no bidi tricks).
func visibleASCII(s string, space bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > '~' || c < ' ' || c == ' ' && !space {
			return false
		}
	}
	return true
}

// timeLayout has a fixed width so that a time has exactly one encoding.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// encodingVersion is the first field of every encoding; a new encoding is a
// new value.
const encodingVersion = 1

// wireRecord is the canonical encoding: encoding/json writes struct fields
// in declaration order and map keys sorted, so one record has one encoding.
type wireRecord struct {
	V        int               `json:"v"`
	Seq      uint64            `json:"seq"`
	Time     string            `json:"time"`
	Actor    string            `json:"actor"`
	Action   Action            `json:"action"`
	Objects  map[string]string `json:"objects,omitempty"`
	Outcome  Outcome           `json:"outcome"`
	Detail   string            `json:"detail,omitempty"`
	SourceIP string            `json:"ip,omitempty"`
	Prev     string            `json:"prev"`
}

// Encode returns the record's canonical encoding: json.Marshal of
//
//	{"v":1,"seq":N,"time":"YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ","actor":…,"action":…,
//	 "objects":{…sorted keys…},"outcome":…,"detail":…,"ip":…,"prev":"<64 hex>"}
//
// with empty objects, detail and ip left out. These are the bytes that are
// sealed, and the next record's Prev is their SHA-256.
func (r Record) Encode() ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	if r.Seq == 0 {
		return nil, fmt.Errorf("sequence 0: %w", ErrInvalid)
	}
	if len(r.Objects) == 0 {
		r.Objects = nil
	}
	if ip, err := netip.ParseAddr(r.SourceIP); err == nil {
		r.SourceIP = ip.String()
	}
	w := wireRecord{
		V: encodingVersion, Seq: r.Seq, Time: r.Time.UTC().Format(timeLayout),
		Actor: r.Actor, Action: r.Action, Objects: r.Objects, Outcome: r.Outcome,
		Detail: r.Detail, SourceIP: r.SourceIP, Prev: r.Prev.String(),
	}
	return json.Marshal(w)
}

// Hash is the SHA-256 of the record's canonical encoding.
func (r Record) Hash() (Hash, error) {
	data, err := r.Encode()
	if err != nil {
		return Hash{}, err
	}
	return sha256.Sum256(data), nil
}

// decodeRecord reads a stored record and accepts it only in canonical
// form, so that its hash is the hash of exactly one record.
func decodeRecord(data []byte) (Record, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w wireRecord
	if err := dec.Decode(&w); err != nil || dec.More() {
		return Record{}, fmt.Errorf("not a record encoding: %w", ErrInvalid)
	}
	if w.V != encodingVersion {
		return Record{}, fmt.Errorf("encoding version %d: %w", w.V, ErrInvalid)
	}
	t, err := time.Parse(timeLayout, w.Time)
	if err != nil {
		return Record{}, fmt.Errorf("time: %w", ErrInvalid)
	}
	prev, ok := parseHash(w.Prev)
	if !ok {
		return Record{}, fmt.Errorf("previous hash: %w", ErrInvalid)
	}
	r := Record{
		Seq: w.Seq, Time: t, Actor: w.Actor, Action: w.Action, Objects: w.Objects,
		Outcome: w.Outcome, Detail: w.Detail, SourceIP: w.SourceIP, Prev: prev,
	}
	again, err := r.Encode()
	if err != nil {
		return Record{}, err
	}
	if !bytes.Equal(again, data) {
		return Record{}, fmt.Errorf("encoding is not canonical: %w", ErrInvalid)
	}
	return r, nil
}

package sealed

import (
	"encoding/binary"
	"strconv"
)

// FormatVersion is bound into every ciphertext; a new format is a new value.
const FormatVersion = 1

// Kind says what an object is. It is bound into the associated data so that
// a raw message cannot be served as an attachment or a manifest.
type Kind string

// Object kinds.
const (
	KindKeyset   Kind = "keyset"
	KindRaw      Kind = "raw"
	KindInbox    Kind = "inbox"
	KindManifest Kind = "manifest"
	KindPart     Kind = "part"
	KindIndex    Kind = "index"
	KindRecord   Kind = "record"
	KindEvent    Kind = "event"
	KindFailure  Kind = "failure"
	KindSecret   Kind = "secret"
	// KindAudit is one record of a tenant's audit log.
	KindAudit Kind = "audit"
	// KindCheckpoint is a signed checkpoint of a tenant's audit log.
	KindCheckpoint Kind = "checkpoint"
)

// Place is where an object lies, as the caller asked for it. Decryption
// recomputes the associated data from the Place of the request, never from
// the object, so a ciphertext moved to another tenant, client, matter, key or
// kind fails authentication.
type Place struct {
	Client     string
	Matter     string
	Key        string
	Kind       Kind
	Generation int
}

// associatedData is the one function that builds associated data: each field
// length-prefixed (4-byte big-endian) so that "ab|c" and "a|bc" differ.
func associatedData(tenant string, p Place) []byte {
	fields := []string{
		strconv.Itoa(FormatVersion), tenant, p.Client, p.Matter, p.Key, string(p.Kind), strconv.Itoa(p.Generation),
	}
	var n int
	for _, f := range fields {
		n += 4 + len(f)
	}
	ad := make([]byte, 0, n)
	for _, f := range fields {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(f)))
		ad = append(ad, f...)
	}
	return ad
}

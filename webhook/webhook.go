// Package webhook signs and verifies matterfile's webhook events. It is
// small on purpose, so that a firm receiving matterfile's events can copy
// Verify (standard library only) into its own receiver.
//
// Each POST carries a JSON event and three headers:
//
//	Matterfile-Event-Id:  the event's ID; delivery is at least once, so a
//	                      receiver dedupes on it
//	Matterfile-Timestamp: unix seconds when the request was signed
//	Matterfile-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver checks the signature over the exact bytes received, before
// parsing them, and rejects timestamps older than MaxAge (replays).
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Header names.
const (
	HeaderEventID   = "Matterfile-Event-Id"
	HeaderTimestamp = "Matterfile-Timestamp"
	HeaderSignature = "Matterfile-Signature"
)

// MaxAge is how old a signed request may be when it is verified; it also
// bounds how far in the future its timestamp may lie (clock skew).
const MaxAge = 5 * time.Minute

// Errors of Verify. They never quote the header or body.
var (
	ErrTimestamp = errors.New("webhook: timestamp missing, malformed or outside the allowed window")
	ErrSignature = errors.New("webhook: no valid v1 signature")
)

// Sign returns the Matterfile-Signature header value for body sent at
// timestamp (unix seconds, as sent in Matterfile-Timestamp).
func Sign(secret []byte, timestamp string, body []byte) string {
	return "v1=" + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a request's Matterfile-Signature header against secret,
// its Matterfile-Timestamp header and its exact body, and rejects a
// timestamp more than MaxAge from now. The header may hold several
// comma-separated signatures (as during a change of secret); one valid v1
// signature is enough.
func Verify(secret []byte, timestamp string, body []byte, header string) error {
	return VerifyAt(time.Now(), secret, timestamp, body, header)
}

// VerifyAt is Verify with the clock given.
func VerifyAt(now time.Time, secret []byte, timestamp string, body []byte, header string) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts <= 0 {
		return ErrTimestamp
	}
	age := now.Sub(time.Unix(ts, 0))
	if age > MaxAge || age < -MaxAge {
		return ErrTimestamp
	}
	if len(secret) == 0 {
		return ErrSignature
	}
	want := mac(secret, timestamp, body)
	for _, part := range strings.Split(header, ",") {
		v, ok := strings.CutPrefix(strings.TrimSpace(part), "v1=")
		if !ok {
			continue
		}
		got, err := hex.DecodeString(v)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}

// Package ids owns the one canonical form of every identifier matterfile
// builds object keys, task payloads and log lines from: tenants, clients,
// matters, mailboxes, messages and parts.
//
// It validates; it never cleans. An identifier that is not already canonical
// is rejected, so "../b", "%2e%2e", fullwidth dots, backslashes, NUL, upper
// case and over-long values never reach a storage call. It must never accept
// a header value, subject, filename or address as an ID.
package ids

import (
	"errors"
	"fmt"
)

// MaxLen bounds every ID; longer values are rejected, not truncated.
const MaxLen = 64

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid id")

// Validate reports whether s is a canonical ID of the given kind
// ("tenant", "matter", …): 1 to 64 characters of [a-z0-9-], starting with a
// letter or digit. The kind only names the ID in the error; the error never
// quotes the rejected value, which may be hostile or personal.
func Validate(kind, s string) error {
	if len(s) == 0 {
		return fmt.Errorf("%s id is empty: %w", kind, ErrInvalid)
	}
	if len(s) > MaxLen {
		return fmt.Errorf("%s id is %d bytes, more than %d: %w", kind, len(s), MaxLen, ErrInvalid)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0:
		default:
			return fmt.Errorf("%s id has a byte outside [a-z0-9-] at offset %d: %w", kind, i, ErrInvalid)
		}
	}
	return nil
}

// Valid is Validate as a predicate.
func Valid(s string) bool { return Validate("", s) == nil }

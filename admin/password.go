package admin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (golang.org/x/crypto/argon2) and
// stored as PHC strings: $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>.
// The parameters travel with each hash, so raising them later leaves old
// hashes verifiable.

// hashParams are argon2id's cost parameters.
type hashParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	saltLen int
	keyLen  int
}

// defaultHashParams follow RFC 9106's second recommendation (64 MiB,
// three passes) and security.md's floor of 64 MiB.
var defaultHashParams = hashParams{memory: 64 * 1024, time: 3, threads: 4, saltLen: 16, keyLen: 32}

// Bounds of the passwords people choose, in bytes. The upper bound keeps
// a request from making the server hash megabytes.
const (
	MinPasswordLen = 12
	maxPasswordLen = 1024
)

// Bounds on the parameters of a stored hash, so that a damaged record
// cannot make one verification take gigabytes or minutes.
const (
	maxHashMemory  = 1 << 20 // KiB: 1 GiB
	maxHashTime    = 16
	maxHashThreads = 16
)

// passwords hashes and verifies, a few at a time: each hash holds 64 MiB,
// so a burst of sign-ins waits for a slot instead of exhausting memory.
type passwords struct {
	params hashParams
	slots  chan struct{}
	// dummy is hashed against when there is no account (or it is locked
	// or disabled), so that every refused sign-in costs the same time.
	dummy string
}

func newPasswords(p hashParams, concurrent int) (*passwords, error) {
	pw := &passwords{params: p, slots: make(chan struct{}, concurrent)}
	d, err := pw.hash(context.Background(), rand.Text())
	if err != nil {
		return nil, err
	}
	pw.dummy = d
	return pw, nil
}

func (pw *passwords) acquire(ctx context.Context) error {
	select {
	case pw.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (pw *passwords) release() { <-pw.slots }

// HashPassword returns the argon2id PHC string of password with the
// default parameters. It checks the password's length first.
func HashPassword(password string) (string, error) {
	if err := CheckNewPassword(password); err != nil {
		return "", err
	}
	pw := &passwords{params: defaultHashParams, slots: make(chan struct{}, 1)}
	return pw.hash(context.Background(), password)
}

// CheckNewPassword says whether password may be chosen: at least
// MinPasswordLen characters, valid UTF-8, not over-long. Its errors never
// quote it.
func CheckNewPassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return errors.New("password is not valid UTF-8")
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return fmt.Errorf("password is shorter than %d characters", MinPasswordLen)
	case len(password) > maxPasswordLen:
		return fmt.Errorf("password is longer than %d bytes", maxPasswordLen)
	}
	return nil
}

// NewOneTimePassword returns a random password (26 base32 characters,
// 130 bits) for an account whose user sets their own at first sign-in.
func NewOneTimePassword() string { return rand.Text() }

func (pw *passwords) hash(ctx context.Context, password string) (string, error) {
	p := pw.params
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := pw.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(p.keyLen))
	pw.release()
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// verify reports whether password matches the PHC string phc, comparing
// in constant time. An empty or malformed phc is verified against the
// dummy hash and fails, taking as long as a real verification.
func (pw *passwords) verify(ctx context.Context, phc, password string) (bool, error) {
	if len(password) > maxPasswordLen {
		password = password[:maxPasswordLen]
	}
	p, salt, want, err := parsePHC(phc)
	known := err == nil
	if !known {
		p, salt, want, err = parsePHC(pw.dummy)
		if err != nil {
			return false, err
		}
	}
	if err := pw.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(want)))
	pw.release()
	return known && subtle.ConstantTimeCompare(got, want) == 1, nil
}

// burn spends the time of one verification and fails: the answer for an
// account that does not exist, is locked or is disabled.
func (pw *passwords) burn(ctx context.Context, password string) error {
	_, err := pw.verify(ctx, "", password)
	return err
}

var errPHC = errors.New("not an argon2id PHC string")

func parsePHC(s string) (hashParams, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return hashParams{}, nil, nil, errPHC
	}
	var p hashParams
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return hashParams{}, nil, nil, errPHC
		}
		switch k {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > maxHashThreads {
				return hashParams{}, nil, nil, errPHC
			}
			p.threads = uint8(n)
		default:
			return hashParams{}, nil, nil, errPHC
		}
	}
	if p.memory < 8*uint32(p.threads) || p.memory > maxHashMemory || p.time < 1 || p.time > maxHashTime || p.threads < 1 {
		return hashParams{}, nil, nil, errPHC
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return hashParams{}, nil, nil, errPHC
	}
	return p, salt, key, nil
}

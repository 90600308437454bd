package catalog

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// SignInCookieKeyLen is the length of SignInCookieKey's key.
const SignInCookieKeyLen = 32

// SignInCookieKey returns the deployment's key for signing the short-lived
// cookie of "Sign in with Google" (internal/googlesignin's CookieKey),
// making it on first use. The cookie is set before anyone has signed in,
// and its callback is one URL for every firm, so the key is the
// deployment's, not a tenant's: it is kept in the operator's sealed space
// (OperatorLogID, beside the operator log), at the place a tenant keeps its
// session key, sealed under the root key like any secret. It is written
// create-only, so that of several serve processes one key wins and all of
// them verify each other's cookies.
func (c *Catalog) SignInCookieKey(ctx context.Context) ([]byte, error) {
	s, err := sealed.Open(ctx, c.kr, c.bs, OperatorLogID)
	if errors.Is(err, storage.ErrNotFound) {
		if err := sealed.CreateTenant(ctx, c.kr, OperatorLogID); err != nil && !errors.Is(err, storage.ErrExists) {
			return nil, fmt.Errorf("sign-in cookie key: operator keys: %w", err)
		}
		s, err = sealed.Open(ctx, c.kr, c.bs, OperatorLogID)
	}
	if err != nil {
		return nil, fmt.Errorf("sign-in cookie key: %w", err)
	}
	key, err := storage.SessionKeyKey(OperatorLogID)
	if err != nil {
		return nil, err
	}
	p := sealed.Place{Key: key, Kind: sealed.KindSecret}
	data, err := s.GetRecord(ctx, p)
	if errors.Is(err, storage.ErrNotFound) {
		fresh := make([]byte, SignInCookieKeyLen)
		rand.Read(fresh)
		if perr := s.PutRecord(ctx, p, fresh, storage.PutOptions{CreateOnly: true}); perr != nil && !errors.Is(perr, storage.ErrExists) {
			return nil, fmt.Errorf("sign-in cookie key: %w", perr)
		}
		data, err = s.GetRecord(ctx, p)
	}
	if err != nil {
		return nil, fmt.Errorf("sign-in cookie key: %w", err)
	}
	if len(data) != SignInCookieKeyLen {
		return nil, fmt.Errorf("sign-in cookie key is malformed: %w", sealed.ErrIntegrity)
	}
	return data, nil
}

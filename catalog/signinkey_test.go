package catalog_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
)

func TestSignInCookieKeyShared(t *testing.T) {
	cat, _ := catalogtest.New(t)
	ctx := context.Background()
	k1, err := cat.SignInCookieKey(ctx)
	require.NoError(t, err)
	require.Len(t, k1, catalog.SignInCookieKeyLen)
	k2, err := cat.SignInCookieKey(ctx)
	require.NoError(t, err)
	require.Equal(t, k1, k2, "made once, then read")
}

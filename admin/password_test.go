package admin

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Production hashes are argon2id with 64 MiB and three passes, in PHC
// form, salted (two hashes of one password differ), and verify only the
// password they were made from.
func TestPasswordDefaults(t *testing.T) {
	h1, err := HashPassword(testPassword)
	require.NoError(t, err)
	h2, err := HashPassword(testPassword)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h1, "$argon2id$v=19$m=65536,t=3,p=4$"), h1)
	require.NotEqual(t, h1, h2)
	require.NotContains(t, h1, testPassword)

	pw, err := newPasswords(defaultHashParams, 2)
	require.NoError(t, err)
	ctx := context.Background()
	ok, err := pw.verify(ctx, h1, testPassword)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = pw.verify(ctx, h1, testPassword+" ")
	require.NoError(t, err)
	require.False(t, ok)
}

// A hash that is empty, damaged or asks for absurd costs never verifies.
func TestPasswordMalformedHash(t *testing.T) {
	pw, err := newPasswords(testHashParams, 2)
	require.NoError(t, err)
	ctx := context.Background()
	good, err := pw.hash(ctx, testPassword)
	require.NoError(t, err)
	for _, phc := range []string{
		"",
		"plain text",
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, "m=1024", "m=99999999", 1),
		strings.Replace(good, "t=1", "t=1000", 1),
		good[:len(good)-10],
		good + "$extra",
	} {
		ok, err := pw.verify(ctx, phc, testPassword)
		require.NoError(t, err)
		require.False(t, ok, phc)
	}
}

func TestCheckNewPassword(t *testing.T) {
	require.NoError(t, CheckNewPassword("twelve chars"))
	require.NoError(t, CheckNewPassword("ünïcödé pässwörd"))
	for _, p := range []string{"", "eleven char", strings.Repeat("x", 2000), "\xff\xfe invalid utf-8!"} {
		err := CheckNewPassword(p)
		require.Error(t, err, p)
		if len(p) > 3 {
			require.NotContains(t, err.Error(), p)
		}
	}
	require.Len(t, NewOneTimePassword(), 26)
	require.NotEqual(t, NewOneTimePassword(), NewOneTimePassword())
}

package ids_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/matterfile/matterfile/ids"
)

// TestValidate holds the ID rows of security.md's attack list (11–14): every
// path trick is rejected as it is, never decoded and cleaned.
func TestValidate(t *testing.T) {
	good := []string{"a", "acme", "m-2024-0117", "0", strings.Repeat("a", 64), "3f9c0a"}
	bad := []string{
		"", "../b", "..", "a/b", "%2e%2e%2f", "．．／", "..\\b", "a\x00b", "A", "Acme",
		"a b", "-a", "é", "a.b", "a_b", strings.Repeat("a", 65), strings.Repeat("a", 10000), "a\n",
	}
	for _, s := range good {
		if err := ids.Validate("tenant", s); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range bad {
		err := ids.Validate("tenant", s)
		if !errors.Is(err, ids.ErrInvalid) {
			t.Errorf("Validate(%q) = %v, want ErrInvalid", s, err)
			continue
		}
		if len(s) > 3 && strings.Contains(err.Error(), s) {
			t.Errorf("error for %q quotes the value: %v", s, err)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"a", "../b", "．．／", "m-1", "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ids.Validate("x", s) != nil {
			return
		}
		if len(s) == 0 || len(s) > ids.MaxLen || strings.ContainsAny(s, "/\\.%\x00") || strings.ToLower(s) != s {
			t.Fatalf("accepted %q", s)
		}
		for _, r := range s {
			if r > 0x7f {
				t.Fatalf("accepted non-ASCII %q", s)
			}
		}
	})
}

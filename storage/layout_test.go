package storage_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/storage"
)

func TestLayoutRejectsBadIDs(t *testing.T) {
	for _, bad := range []string{"../b", "%2e%2e%2f", "．．／", "..\\b", "a\x00b", strings.Repeat("x", 10000), "", "B"} {
		if _, err := storage.TenantPrefix(bad); !errors.Is(err, ids.ErrInvalid) {
			t.Errorf("TenantPrefix(%q) = %v", bad, err)
		}
		p := storage.MessagePlace{Tenant: "t", Client: "c", Matter: bad, Message: "m"}
		if _, err := p.RawKey(); err == nil {
			t.Errorf("RawKey with matter %q accepted", bad)
		}
		if _, err := storage.InboxKey("t", "mb", bad); err == nil {
			t.Errorf("InboxKey with message %q accepted", bad)
		}
		if _, err := storage.ReviewKey("t", bad); err == nil {
			t.Errorf("ReviewKey with message %q accepted", bad)
		}
		if _, err := storage.GmailFiledKey("t", "mb", bad); err == nil {
			t.Errorf("GmailFiledKey with Gmail id %q accepted", bad)
		}
		if _, err := storage.GmailPendingKey("t", "mb", bad); err == nil {
			t.Errorf("GmailPendingKey with Gmail id %q accepted", bad)
		}
		for _, f := range []func(string, string) (string, error){storage.SecretKey, storage.GmailStateKey, storage.GmailPendingPrefix, storage.GmailFiledPrefix} {
			if _, err := f("t", bad); err == nil {
				t.Errorf("mailbox %q accepted", bad)
			}
		}
	}
}

func TestLayoutKeys(t *testing.T) {
	p := storage.MessagePlace{Tenant: "firm", Client: "acme", Matter: "m-1", Message: "abc"}
	for _, tc := range []struct {
		got  func() (string, error)
		want string
	}{
		{p.RawKey, "tenants/firm/clients/acme/matters/m-1/messages/abc/raw"},
		{func() (string, error) { return p.ManifestKey(1) }, "tenants/firm/clients/acme/matters/m-1/messages/abc/manifest-1"},
		{func() (string, error) { return p.PartKey(3) }, "tenants/firm/clients/acme/matters/m-1/messages/abc/parts/3"},
		{storage.MessagePlace{Tenant: "firm", Review: true, Message: "abc"}.RawKey, "tenants/firm/review/messages/abc/raw"},
		{func() (string, error) { return storage.TenantPrefix("firm") }, "tenants/firm/"},
		{func() (string, error) { return storage.SecretKey("firm", "mb-1") }, "tenants/firm/secrets/mb-1"},
		{func() (string, error) { return storage.ReviewKey("firm", "abc") }, "tenants/firm/reviews/abc"},
		{func() (string, error) { return storage.ReviewsPrefix("firm") }, "tenants/firm/reviews/"},
		{func() (string, error) { return storage.GmailStateKey("firm", "mb-1") }, "tenants/firm/gmail/mb-1/state"},
		{func() (string, error) { return storage.GmailPendingKey("firm", "mb-1", "18c2a4f1b2c3d4e5") }, "tenants/firm/gmail/mb-1/pending/18c2a4f1b2c3d4e5"},
		{func() (string, error) { return storage.GmailPendingPrefix("firm", "mb-1") }, "tenants/firm/gmail/mb-1/pending/"},
		{func() (string, error) { return storage.GmailFiledKey("firm", "mb-1", "18c2a4f1b2c3d4e5") }, "tenants/firm/gmail/mb-1/filed/18c2a4f1b2c3d4e5"},
		{func() (string, error) { return storage.GmailFiledPrefix("firm", "mb-1") }, "tenants/firm/gmail/mb-1/filed/"},
	} {
		got, err := tc.got()
		if err != nil || got != tc.want {
			t.Errorf("got %q, %v; want %q", got, err, tc.want)
		}
		if strings.HasSuffix(got, "/") {
			if storage.ValidatePrefix(got) != nil {
				t.Errorf("prefix %q does not validate", got)
			}
		} else if storage.ValidateKey(got) != nil {
			t.Errorf("key %q does not validate", got)
		}
	}
	if _, err := (storage.MessagePlace{Tenant: "firm", Review: true, Client: "acme", Message: "abc"}).RawKey(); err == nil {
		t.Error("a review place naming a client was accepted")
	}
}

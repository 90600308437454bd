package catalog

import (
	"testing"

	"github.com/matterfile/matterfile/storage/sealed"
)

// placeOf reads the layout backwards; a key it does not know must be
// reported, never guessed, or re-encryption would retire a key still in use.
func TestPlaceOf(t *testing.T) {
	const p = "tenants/t1/"
	var dir dirGen
	cases := []struct {
		key    string
		ok     bool
		kind   sealed.Kind
		stream bool
		client string
		gen    int
	}{
		{p + "settings", true, sealed.KindRecord, false, "", 0},
		{p + "matters/registry", true, sealed.KindRecord, false, "", 0},
		{p + "inbox/mb1/msg1", true, sealed.KindInbox, true, "", 0},
		{p + "gmail/mb1/state", true, sealed.KindRecord, false, "", 0},
		{p + "gmail/mb1/filed/g1", true, sealed.KindRecord, false, "", 0},
		{p + "audit/00000000000000000001", true, sealed.KindAudit, false, "", 0},
		{p + "clients/acme/matters/m1/messages/x/manifest-2", true, sealed.KindManifest, false, "acme", 2},
		{p + "clients/acme/matters/m1/messages/x/parts/0", true, sealed.KindPart, true, "acme", 2},
		{p + "clients/acme/matters/m1/messages/x/raw", true, sealed.KindRaw, true, "acme", 2},
		// Raw without a manifest in its own directory: generation unknown.
		{p + "clients/acme/matters/m1/messages/y/raw", false, "", false, "", 0},
		{p + "review/messages/z/manifest-1", true, sealed.KindManifest, false, "", 1},
		{p + "review/messages/z/raw", true, sealed.KindRaw, true, "", 1},
		{p + "reviews/msg1", true, sealed.KindRecord, false, "", 0},
		{p + "settings/extra", false, "", false, "", 0},
		{p + "unknown/thing", false, "", false, "", 0},
		{p + "gmail/mb1/other", false, "", false, "", 0},
	}
	for _, c := range cases {
		got, ok := placeOf(p, c.key, &dir)
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.key, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if got.Kind != c.kind || got.stream != c.stream || got.Client != c.client || got.Generation != c.gen || got.Key != c.key {
			t.Errorf("%s: got %+v", c.key, got)
		}
	}
}

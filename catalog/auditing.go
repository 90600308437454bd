package catalog

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/matterfile/matterfile/audit"
)

// Record appends one record to the tenant's audit log: the one way other
// packages audit what they change. Objects name IDs only; detail is fixed
// words and IDs, never content.
func (t *Tenant) Record(ctx context.Context, actor string, action audit.Action, objects map[string]string, outcome audit.Outcome, detail string) error {
	return t.audit(ctx, actor, action, objects, outcome, detail)
}

// RecordFrom is Record for an action that came over the network (a
// sign-in, an admin page): ip is the client's address, kept as the
// record's SourceIP; empty if unknown.
func (t *Tenant) RecordFrom(ctx context.Context, actor, ip string, action audit.Action, objects map[string]string, outcome audit.Outcome, detail string) error {
	return t.audit(WithSourceIP(ctx, ip), actor, action, objects, outcome, detail)
}

type sourceIPKey struct{}

// WithSourceIP returns ctx carrying the address of the client whose
// request is being served (the admin web): every audit record a tenant
// writes under ctx, whichever change it records, carries it as its
// SourceIP. An address that does not parse is left out, not recorded.
func WithSourceIP(ctx context.Context, ip string) context.Context {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, sourceIPKey{}, a.Unmap().WithZone("").String())
}

// SourceIP is the client address WithSourceIP put in ctx, or "".
func SourceIP(ctx context.Context) string {
	ip, _ := ctx.Value(sourceIPKey{}).(string)
	return ip
}

// RecordFiling audits a filing: where message e went (a target or review),
// as generation e.Generation; prev is where it was before a refiling.
func (t *Tenant) RecordFiling(ctx context.Context, actor string, e IndexEntry, prev *IndexEntry) error {
	objs := map[string]string{"message": e.Message}
	where := "review"
	if e.State == StateFiled {
		objs["client"], objs["matter"] = e.Client, e.Matter
		where = e.Matter
	}
	if prev == nil {
		return t.audit(ctx, actor, audit.ActionMessageFile, objs, audit.OK, fmt.Sprintf("filed to %s", where))
	}
	from := "review"
	if prev.State == StateFiled {
		from = prev.Matter
	}
	return t.audit(ctx, actor, audit.ActionMessageRefile, objs, audit.OK, fmt.Sprintf("refiled from %s to %s as generation %d", from, where, e.Generation))
}

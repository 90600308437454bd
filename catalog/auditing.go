package catalog

import (
	"context"
	"fmt"

	"github.com/matterfile/matterfile/audit"
)

// Record appends one record to the tenant's audit log: the one way other
// packages audit what they change. Objects name IDs only; detail is fixed
// words and IDs, never content.
func (t *Tenant) Record(ctx context.Context, actor string, action audit.Action, objects map[string]string, outcome audit.Outcome, detail string) error {
	return t.audit(ctx, actor, action, objects, outcome, detail)
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

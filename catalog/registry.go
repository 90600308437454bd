package catalog

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// The registry API below is what the command line and the admin pages
// change the registry through: every change is saved conditionally (two
// admins editing at once must not lose one's change) and audited, one
// record per target changed, by who made it.

// ErrNoTarget is wrapped when a matter or contract does not exist.
var ErrNoTarget = errors.New("no such matter or contract")

// RegistryChange counts what a change of the registry did.
type RegistryChange struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportTargets merges targets into the registry: new IDs are added, known
// ones replaced (see classify.Registry.Merge). Nothing is saved unless all
// of them are valid. Each target that changed is audited as done by by.
func (t *Tenant) ImportTargets(ctx context.Context, targets []classify.Target, by string) (RegistryChange, error) {
	changes, err := t.changeRegistry(ctx, by, func(reg *classify.Registry) error {
		_, _, err := reg.Merge(targets)
		return err
	})
	if err != nil {
		return RegistryChange{}, err
	}
	var rc RegistryChange
	seen := map[string]bool{}
	for _, c := range changes {
		seen[c.after.ID] = true
		if c.before == nil {
			rc.Added++
		} else {
			rc.Updated++
		}
	}
	for _, tg := range targets {
		if !seen[strings.TrimSpace(tg.ID)] {
			seen[strings.TrimSpace(tg.ID)] = true
			rc.Unchanged++
		}
	}
	return rc, nil
}

// UpdateTarget replaces the target with tg's ID, which must exist.
func (t *Tenant) UpdateTarget(ctx context.Context, tg classify.Target, by string) error {
	_, err := t.changeRegistry(ctx, by, func(reg *classify.Registry) error {
		if _, ok := reg.Get(tg.ID); !ok {
			return fmt.Errorf("tenant %s target %s: %w", t.ID, tg.ID, ErrNoTarget)
		}
		_, _, err := reg.Merge([]classify.Target{tg})
		return err
	})
	return err
}

// SetTargetStatus closes or reopens target id (classify.StatusClosed or
// StatusOpen). A closed target keeps its messages and is never filed to
// automatically.
func (t *Tenant) SetTargetStatus(ctx context.Context, id, status, by string) error {
	if status != classify.StatusOpen && status != classify.StatusClosed {
		return fmt.Errorf("status must be %q or %q", classify.StatusOpen, classify.StatusClosed)
	}
	_, err := t.changeRegistry(ctx, by, func(reg *classify.Registry) error {
		tg, ok := reg.Get(id)
		if !ok {
			return fmt.Errorf("tenant %s target %s: %w", t.ID, id, ErrNoTarget)
		}
		tg.Status = status
		_, _, err := reg.Merge([]classify.Target{tg})
		return err
	})
	return err
}

// maxRegistryAttempts bounds how often a change is re-applied after losing
// the race to another writer of the registry.
const maxRegistryAttempts = 16

// changeRegistry applies change to the current registry and saves the
// result only if nobody saved the registry meanwhile, re-reading and
// re-applying it otherwise; then it audits every target that changed.
func (t *Tenant) changeRegistry(ctx context.Context, by string, change func(*classify.Registry) error) ([]targetChange, error) {
	key, err := storage.MattersKey(t.ID)
	if err != nil {
		return nil, err
	}
	place := sealed.Place{Key: key, Kind: sealed.KindRecord}
	for range maxRegistryAttempts {
		// The ETag first: if the registry changes between the Stat and
		// the read, the conditional save fails and the change is made
		// again on the newer registry.
		opts := storage.PutOptions{CreateOnly: true}
		if info, err := t.s.Stat(ctx, key); err == nil {
			opts = storage.PutOptions{IfMatch: info.ETag}
		} else if !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("tenant %s matters: %w", t.ID, err)
		}
		reg, err := t.Matters(ctx)
		if err != nil {
			return nil, err
		}
		before := make(map[string]classify.Target, len(reg.Targets))
		for _, tg := range reg.Targets {
			before[tg.ID] = tg
		}
		if err := change(reg); err != nil {
			return nil, err
		}
		changes := diffRegistry(before, reg)
		if len(changes) == 0 {
			return nil, nil
		}
		// An audit record the log would refuse (a malformed actor) must
		// stop the change before it is made, not after.
		for _, c := range changes {
			action, objs, detail := c.record()
			if err := t.auditable(by, action, objs, detail); err != nil {
				return nil, err
			}
		}
		err = t.putJSON(ctx, place, reg, opts)
		if errors.Is(err, storage.ErrPrecondition) || errors.Is(err, storage.ErrExists) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("tenant %s matters: %w", t.ID, err)
		}
		for _, c := range changes {
			action, objs, detail := c.record()
			if err := t.audit(ctx, by, action, objs, audit.OK, detail); err != nil {
				return changes, fmt.Errorf("registry saved, but not every change is audited: %w", err)
			}
		}
		return changes, nil
	}
	return nil, fmt.Errorf("tenant %s matters: changed by others %d times in a row; try again", t.ID, maxRegistryAttempts)
}

// targetChange is one target added (before nil) or changed.
type targetChange struct {
	before *classify.Target
	after  classify.Target
	fields []string
}

func diffRegistry(before map[string]classify.Target, reg *classify.Registry) []targetChange {
	var out []targetChange
	for _, tg := range reg.Targets {
		old, ok := before[tg.ID]
		if !ok {
			out = append(out, targetChange{after: tg})
			continue
		}
		if fs := changedFields(old, tg); len(fs) > 0 {
			out = append(out, targetChange{before: &old, after: tg, fields: fs})
		}
	}
	return out
}

// record is the audit record of the change. The vocabulary has no
// contract.create or contract.close: contracts are recorded as
// contract.update, and the detail says what happened.
func (c targetChange) record() (audit.Action, map[string]string, string) {
	tg := c.after
	objs := map[string]string{tg.Kind: tg.ID, "client": tg.Client}
	contract := tg.Kind == classify.KindContract
	action := audit.ActionMatterUpdate
	if contract {
		action = audit.ActionContractUpdate
	}
	if c.before == nil {
		if !contract {
			action = audit.ActionMatterCreate
		}
		return action, objs, "created, status " + tg.Status
	}
	var notes []string
	if c.before.Status != tg.Status {
		switch tg.Status {
		case classify.StatusClosed:
			if !contract {
				action = audit.ActionMatterClose
			}
			notes = append(notes, "closed")
		default:
			notes = append(notes, "reopened")
		}
	}
	var rest []string
	for _, f := range c.fields {
		switch f {
		case "status":
		case "client":
			// The client is an ID; where the target was before matters
			// for whose key its earlier messages are under.
			rest = append(rest, "client (was "+c.before.Client+")")
		default:
			rest = append(rest, f)
		}
	}
	if len(rest) > 0 {
		notes = append(notes, "changed: "+strings.Join(rest, ", "))
	}
	return action, objs, strings.Join(notes, "; ")
}

// targetFields are a target's fields by their import column names.
var targetFields = []struct {
	name string
	text func(*classify.Target) string
	list func(*classify.Target) []string
}{
	{name: "number", text: func(t *classify.Target) string { return t.Number }},
	{name: "title", text: func(t *classify.Target) string { return t.Title }},
	{name: "kind", text: func(t *classify.Target) string { return t.Kind }},
	{name: "client", text: func(t *classify.Target) string { return t.Client }},
	{name: "client_name", text: func(t *classify.Target) string { return t.ClientName }},
	{name: "status", text: func(t *classify.Target) string { return t.Status }},
	{name: "opposing_parties", list: func(t *classify.Target) []string { return t.OpposingParties }},
	{name: "participants", list: func(t *classify.Target) []string { return t.Participants }},
	{name: "domains", list: func(t *classify.Target) []string { return t.Domains }},
	{name: "aliases", list: func(t *classify.Target) []string { return t.Aliases }},
	{name: "keywords", list: func(t *classify.Target) []string { return t.Keywords }},
	{name: "labels", list: func(t *classify.Target) []string { return t.Labels }},
	{name: "walled", list: func(t *classify.Target) []string { return t.Walled }},
}

func changedFields(a, b classify.Target) []string {
	var out []string
	for _, f := range targetFields {
		if f.text != nil && f.text(&a) != f.text(&b) || f.list != nil && !slices.Equal(f.list(&a), f.list(&b)) {
			out = append(out, f.name)
		}
	}
	return out
}

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// ExportTargets writes the registry to w as CSV (classify.ParseCSV reads
// it back: every column, lists joined by ";") or as JSON (an object with
// "targets", which classify.ParseJSON reads back). The export is audited:
// it holds client names and participants' addresses.
func (t *Tenant) ExportTargets(ctx context.Context, w io.Writer, format, by string) (int, error) {
	objs := map[string]string{}
	detail := "matters and contracts as " + format
	if err := t.auditable(by, audit.ActionExport, objs, detail); err != nil {
		return 0, err
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return 0, err
	}
	switch format {
	case FormatCSV:
		err = WriteTargetsCSV(w, reg.Targets)
	case FormatJSON:
		err = WriteTargetsJSON(w, reg.Targets)
	default:
		return 0, fmt.Errorf("export format must be %q or %q", FormatCSV, FormatJSON)
	}
	if err != nil {
		return 0, err
	}
	n := len(reg.Targets)
	return n, t.audit(ctx, by, audit.ActionExport, objs, audit.OK, fmt.Sprintf("%s: %d targets", detail, n))
}

// csvColumns are the columns classify.ParseCSV reads, in its order.
var csvColumns = classify.CSVColumns()

// WriteTargetsCSV writes targets as CSV with a header line. A list entry
// holding ";" cannot be written, as the import would split it: such a
// registry is exported as JSON.
func WriteTargetsCSV(w io.Writer, targets []classify.Target) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	row := make([]string, len(csvColumns))
	for i := range targets {
		tg := &targets[i]
		row[0] = tg.ID
		for _, f := range targetFields {
			at := slices.Index(csvColumns, f.name)
			if f.text != nil {
				row[at] = f.text(tg)
				continue
			}
			list := f.list(tg)
			for _, s := range list {
				if strings.Contains(s, ";") {
					return fmt.Errorf("target %s: an entry of %s contains \";\", which CSV cannot carry; export as JSON", tg.ID, f.name)
				}
			}
			row[at] = strings.Join(list, ";")
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTargetsJSON writes targets as {"targets": [...]}.
func WriteTargetsJSON(w io.Writer, targets []classify.Target) error {
	if targets == nil {
		targets = []classify.Target{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(classify.Registry{Targets: targets})
}

// auditable reports whether the log would accept a record by actor, so
// that a change it would refuse to record is not made.
func (t *Tenant) auditable(actor string, action audit.Action, objects map[string]string, detail string) error {
	if actor == "" {
		actor = "system:catalog" // as audit does
	}
	objs := map[string]string{"tenant": t.ID}
	for k, v := range objects {
		objs[k] = v
	}
	r := audit.Record{Seq: 1, Actor: actor, Action: action, Objects: objs, Outcome: audit.OK, Detail: detail}
	if _, err := r.Encode(); err != nil {
		return fmt.Errorf("tenant %s: %s would not be audited: %w", t.ID, action, err)
	}
	return nil
}

// CheckActor reports whether actor can be recorded in an audit log:
// "cli:", "admin:", "user:" or "system:" and a name.
func CheckActor(actor string) error {
	r := audit.Record{Seq: 1, Actor: actor, Action: audit.ActionMessageReview, Outcome: audit.OK}
	if _, err := r.Encode(); err != nil {
		return fmt.Errorf("actor: %w", err)
	}
	return nil
}

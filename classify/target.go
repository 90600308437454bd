// Package classify owns a tenant's matters and contracts (targets) and the
// decision which target a message belongs to, with reasons a lawyer can
// read.
//
// Decide weighs evidence in tiers, strongest first: a matter label, a
// target number in the subject or an attachment's name, thread continuity
// (the conversation's earlier filing), a number in the body, then people
// and domains that belong to exactly one open target, and names. An Index
// compiles the registry into maps so that a decision costs the same for
// ten matters as for a hundred thousand. testdata/eval holds the labelled
// evaluation set its weights are held to (TestEvaluation).
//
// It decides from what it is given and nothing else: it does no I/O, stores
// nothing and must never log message content. A wrong filing can breach
// confidentiality across clients, so every doubt goes to review, never to a
// guess: conflicting strong evidence, ambiguity, closed targets and ethical
// walls all stop automatic filing.
package classify

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/matterfile/matterfile/ids"
)

// Target kinds.
const (
	KindMatter   = "matter"
	KindContract = "contract"
)

// Target statuses.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Target is a matter or a contract of the firm.
type Target struct {
	ID         string `json:"id"`
	Number     string `json:"number"`
	Title      string `json:"title"`
	Kind       string `json:"kind"`
	Client     string `json:"client"`
	ClientName string `json:"client_name,omitempty"`
	Status     string `json:"status,omitempty"`
	// OpposingParties are the names of the other side, matched like
	// aliases in subject and body.
	OpposingParties []string `json:"opposing_parties,omitempty"`
	// Participants are the e-mail addresses of the people on the matter
	// outside the firm: client contacts, opposing counsel, the court.
	Participants []string `json:"participants,omitempty"`
	// Domains are mail domains that belong to the matter (the client's,
	// opposing counsel's firm).
	Domains []string `json:"domains,omitempty"`
	// Aliases are other names of the matter ("Acme v. Beta", a court
	// docket number); Keywords are words that point at it.
	Aliases  []string `json:"aliases,omitempty"`
	Keywords []string `json:"keywords,omitempty"`
	// Labels are the Gmail labels mapped to the target.
	Labels []string `json:"labels,omitempty"`
	// Walled are the addresses of the firm's people walled off from the
	// matter (ethical walls): mail from their mailboxes is never filed
	// to it automatically.
	Walled []string `json:"walled,omitempty"`
}

// Validate checks a target as an import would: canonical IDs, a number, a
// known kind and status. Errors name the field, never its value beyond IDs.
func (t *Target) Validate() error {
	if err := ids.Validate("target", t.ID); err != nil {
		return fmt.Errorf("id: %w", err)
	}
	if strings.TrimSpace(t.Number) == "" {
		return fmt.Errorf("target %s: number is empty", t.ID)
	}
	switch t.Kind {
	case KindMatter, KindContract:
	default:
		return fmt.Errorf("target %s: kind must be %q or %q", t.ID, KindMatter, KindContract)
	}
	if err := ids.Validate("client", t.Client); err != nil {
		return fmt.Errorf("target %s: client: %w", t.ID, err)
	}
	switch t.Status {
	case StatusOpen, StatusClosed:
	default:
		return fmt.Errorf("target %s: status must be %q or %q", t.ID, StatusOpen, StatusClosed)
	}
	return nil
}

func (t *Target) normalize() {
	t.Number = strings.TrimSpace(t.Number)
	t.Title = strings.TrimSpace(t.Title)
	t.Kind = strings.ToLower(strings.TrimSpace(t.Kind))
	t.Status = strings.ToLower(strings.TrimSpace(t.Status))
	if t.Status == "" {
		t.Status = StatusOpen
	}
	t.OpposingParties = cleanList(t.OpposingParties, nil)
	t.Participants = cleanList(t.Participants, strings.ToLower)
	// "@domain" in the participants column is a domain: older imports
	// wrote domains there.
	var people []string
	for _, p := range t.Participants {
		if strings.HasPrefix(p, "@") {
			t.Domains = append(t.Domains, p)
		} else {
			people = append(people, p)
		}
	}
	t.Participants = people
	t.Domains = cleanList(t.Domains, func(s string) string { return strings.TrimPrefix(strings.ToLower(s), "@") })
	t.Aliases = cleanList(t.Aliases, nil)
	t.Keywords = cleanList(t.Keywords, nil)
	t.Labels = cleanList(t.Labels, nil)
	t.Walled = cleanList(t.Walled, strings.ToLower)
}

func cleanList(in []string, f func(string) string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if f != nil {
			s = f(s)
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Registry is a tenant's set of targets.
type Registry struct {
	Targets []Target `json:"targets"`
}

// Get returns the target with the given id.
func (r *Registry) Get(id string) (Target, bool) {
	for _, t := range r.Targets {
		if t.ID == id {
			return t, true
		}
	}
	return Target{}, false
}

// Merge adds new targets and replaces existing ones by id, keeping the
// registry sorted by id. It validates everything before changing anything,
// and refuses two targets sharing a number or a label, which would make
// filing ambiguous.
func (r *Registry) Merge(in []Target) (added, updated int, err error) {
	byID := map[string]Target{}
	for _, t := range r.Targets {
		byID[t.ID] = t
	}
	for i := range in {
		t := in[i]
		t.normalize()
		if err := t.Validate(); err != nil {
			return 0, 0, fmt.Errorf("target %d: %w", i+1, err)
		}
		if _, ok := byID[t.ID]; ok {
			updated++
		} else {
			added++
		}
		byID[t.ID] = t
	}
	merged := make([]Target, 0, len(byID))
	for _, t := range byID {
		merged = append(merged, t)
	}
	sort.Slice(merged, func(i, j int) bool { return merged[i].ID < merged[j].ID })
	numbers, labels := map[string]string{}, map[string]string{}
	for _, t := range merged {
		n := strings.ToLower(t.Number)
		if other, ok := numbers[n]; ok {
			return 0, 0, fmt.Errorf("targets %s and %s share a number", other, t.ID)
		}
		numbers[n] = t.ID
		for _, l := range t.Labels {
			if other, ok := labels[l]; ok && other != t.ID {
				return 0, 0, fmt.Errorf("targets %s and %s share a label", other, t.ID)
			}
			labels[l] = t.ID
		}
	}
	r.Targets = merged
	return added, updated, nil
}

// csvColumns are the import columns; id, number, title, kind and client are
// required, the rest optional. List fields are separated by ";".
var csvColumns = []string{"id", "number", "title", "kind", "client", "client_name", "status",
	"opposing_parties", "participants", "domains", "aliases", "keywords", "labels", "walled"}

// CSVColumns are the columns ParseCSV knows, in the order an export
// writes them.
func CSVColumns() []string { return append([]string(nil), csvColumns...) }

// ParseCSV reads targets from CSV with a header line naming the columns.
func ParseCSV(r io.Reader) ([]Target, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range csvColumns {
			known = known || c == h
		}
		if !known {
			return nil, fmt.Errorf("csv header: unknown column %d (want some of %s)", i+1, strings.Join(csvColumns, ","))
		}
		col[h] = i
	}
	for _, req := range []string{"id", "number", "kind", "client"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("csv header: column %q is missing", req)
		}
	}
	var out []Target
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("csv line %d: %w", line, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		list := func(name string) []string { return strings.Split(get(name), ";") }
		t := Target{
			ID: strings.TrimSpace(get("id")), Number: get("number"), Title: get("title"), Kind: get("kind"),
			Client: strings.TrimSpace(get("client")), ClientName: strings.TrimSpace(get("client_name")), Status: get("status"),
			OpposingParties: list("opposing_parties"), Participants: list("participants"), Domains: list("domains"),
			Aliases: list("aliases"), Keywords: list("keywords"), Labels: list("labels"), Walled: list("walled"),
		}
		t.normalize()
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("csv line %d: %w", line, err)
		}
		out = append(out, t)
	}
}

// ParseJSON reads targets from a JSON array of objects (or {"targets": [...]}).
func ParseJSON(r io.Reader) ([]Target, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read json: %w", err)
	}
	var out []Target
	if err := json.Unmarshal(data, &out); err != nil {
		var reg Registry
		if err2 := json.Unmarshal(data, &reg); err2 != nil {
			return nil, fmt.Errorf("json: want an array of targets: %w", err)
		}
		out = reg.Targets
	}
	for i := range out {
		out[i].normalize()
		if err := out[i].Validate(); err != nil {
			return nil, fmt.Errorf("json target %d: %w", i+1, err)
		}
	}
	return out, nil
}

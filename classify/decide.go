package classify

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Outcomes of a Decision.
const (
	OutcomeFile   = "file"
	OutcomeReview = "review"
)

// Policy is a tenant's filing policy.
type Policy struct {
	// MatterLabelPrefix marks Gmail labels naming a matter ("Matters/").
	MatterLabelPrefix string
	// FilingLabel is the generic label asking for filing ("File to matter").
	FilingLabel string
	// FileThreshold is the confidence at or above which a message is filed
	// without review.
	FileThreshold float64
}

// DefaultPolicy is the policy of a tenant that configured nothing.
func DefaultPolicy() Policy {
	return Policy{MatterLabelPrefix: "Matters/", FilingLabel: "File to matter", FileThreshold: 0.85}
}

// Validate names the first bad field.
func (p Policy) Validate() error {
	if strings.TrimSpace(p.MatterLabelPrefix) == "" {
		return fmt.Errorf("matter label prefix is empty")
	}
	if strings.TrimSpace(p.FilingLabel) == "" {
		return fmt.Errorf("filing label is empty")
	}
	if p.FileThreshold <= 0 || p.FileThreshold > 1 {
		return fmt.Errorf("file threshold %v is outside (0,1]", p.FileThreshold)
	}
	return nil
}

// IsFilingLabel reports whether a Gmail label asks for filing: a label
// under the matter prefix or the generic filing label.
func (p Policy) IsFilingLabel(label string) bool {
	return label == p.FilingLabel || (strings.HasPrefix(label, p.MatterLabelPrefix) && len(label) > len(p.MatterLabelPrefix))
}

// Message is what the classifier looks at. It is built by the caller from
// the parsed message; classify never parses mail itself.
type Message struct {
	Subject string
	Labels  []string
	// Unparsed messages are decided on what could be recovered, but always
	// go to review: a person must look at a message we could not read.
	Unparsed bool
}

// Reason is one piece of evidence, in words a lawyer can read.
type Reason struct {
	Rule   string `json:"rule"`
	Target string `json:"target,omitempty"`
	Text   string `json:"text"`
}

// Candidate is a target the evidence points at.
type Candidate struct {
	Target     string   `json:"target"`
	Confidence float64  `json:"confidence"`
	Reasons    []Reason `json:"reasons"`
}

// Decision is the classifier's verdict on one message.
type Decision struct {
	Outcome    string      `json:"outcome"`
	Target     string      `json:"target,omitempty"`
	Client     string      `json:"client,omitempty"`
	Confidence float64     `json:"confidence"`
	Reasons    []Reason    `json:"reasons"`
	Candidates []Candidate `json:"candidates,omitempty"`
}

// Rule names.
const (
	RuleLabel     = "label"
	RuleNumber    = "subject-number"
	RuleConflict  = "conflict"
	RuleClosed    = "closed"
	RuleUnparsed  = "unparsed"
	RuleNoMatch   = "no-match"
	RuleUnmapped  = "unmapped-label"
	RuleThreshold = "threshold"
)

// Confidence of each tier of evidence.
const (
	confLabel  = 0.99
	confNumber = 0.9
	confBoth   = 1.0
)

// Decide picks the target of msg from the registry, strongest evidence
// first: an explicit matter label, then a target number in the subject.
// Conflicting evidence, closed targets, unparsed messages and messages with
// no evidence go to review with every candidate and reason.
func Decide(reg *Registry, msg Message, pol Policy) Decision {
	cands := map[string]*Candidate{}
	var order []string
	add := func(id string, conf float64, r Reason) {
		c, ok := cands[id]
		if !ok {
			c = &Candidate{Target: id}
			cands[id] = c
			order = append(order, id)
		}
		if conf > c.Confidence {
			c.Confidence = conf
		}
		c.Reasons = append(c.Reasons, r)
	}
	var general []Reason
	labelTargets := map[string]bool{}
	for _, l := range msg.Labels {
		if !strings.HasPrefix(l, pol.MatterLabelPrefix) || l == pol.MatterLabelPrefix {
			continue
		}
		t, ok := reg.byLabel(l, pol.MatterLabelPrefix)
		if !ok {
			general = append(general, Reason{Rule: RuleUnmapped, Text: fmt.Sprintf("label %s is not mapped to any matter or contract", l)})
			continue
		}
		labelTargets[t.ID] = true
		add(t.ID, confLabel, Reason{Rule: RuleLabel, Target: t.ID, Text: fmt.Sprintf("label %s", l)})
	}
	subjectTargets := map[string]bool{}
	for _, t := range reg.Targets {
		if containsNumber(msg.Subject, t.Number) {
			subjectTargets[t.ID] = true
			add(t.ID, confNumber, Reason{Rule: RuleNumber, Target: t.ID, Text: fmt.Sprintf("subject contains %s number %s", t.Kind, t.Number)})
		}
	}
	for id := range cands {
		if labelTargets[id] && subjectTargets[id] {
			cands[id].Confidence = confBoth
		}
	}
	list := make([]Candidate, 0, len(order))
	for _, id := range order {
		list = append(list, *cands[id])
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Confidence > list[j].Confidence })

	d := Decision{Outcome: OutcomeReview, Candidates: list}
	switch {
	case len(list) == 0:
		d.Reasons = append(general, Reason{Rule: RuleNoMatch, Text: "no matter label and no matter or contract number in the subject"})
	case len(list) > 1:
		ids := make([]string, len(list))
		for i, c := range list {
			ids[i] = c.Target
		}
		d.Reasons = append(general, Reason{Rule: RuleConflict, Text: "evidence points at more than one target: " + strings.Join(ids, ", ")})
		for _, c := range list {
			d.Reasons = append(d.Reasons, c.Reasons...)
		}
	default:
		c := list[0]
		t, _ := reg.Get(c.Target)
		d.Target, d.Client, d.Confidence = t.ID, t.Client, c.Confidence
		d.Reasons = append(append(d.Reasons, c.Reasons...), general...)
		switch {
		case msg.Unparsed:
			d.Reasons = append(d.Reasons, Reason{Rule: RuleUnparsed, Text: "the message could not be parsed; a person must check it"})
		case t.Status == StatusClosed:
			d.Reasons = append(d.Reasons, Reason{Rule: RuleClosed, Target: t.ID, Text: fmt.Sprintf("%s %s is closed; closed targets are never filed automatically", t.Kind, t.Number)})
		case c.Confidence < pol.FileThreshold:
			d.Reasons = append(d.Reasons, Reason{Rule: RuleThreshold, Text: fmt.Sprintf("confidence %.2f is below the filing threshold %.2f", c.Confidence, pol.FileThreshold)})
		default:
			d.Outcome = OutcomeFile
		}
		if d.Outcome == OutcomeReview {
			// In review nothing is filed yet: no target, only candidates.
			d.Target, d.Client = "", ""
		}
		return d
	}
	if msg.Unparsed {
		d.Reasons = append(d.Reasons, Reason{Rule: RuleUnparsed, Text: "the message could not be parsed; a person must check it"})
	}
	return d
}

// byLabel finds the target a matter label names: a label mapped to it, or
// prefix + number, alone or followed by a space and a title.
func (r *Registry) byLabel(label, prefix string) (Target, bool) {
	for _, t := range r.Targets {
		for _, l := range t.Labels {
			if l == label {
				return t, true
			}
		}
	}
	rest := strings.TrimPrefix(label, prefix)
	for _, t := range r.Targets {
		if strings.EqualFold(rest, t.Number) || (len(rest) > len(t.Number) && strings.EqualFold(rest[:len(t.Number)], t.Number) && rest[len(t.Number)] == ' ') {
			return t, true
		}
	}
	return Target{}, false
}

// containsNumber reports whether s holds number as a whole token: not
// preceded or followed by a letter, digit, '-' or '/', so 2024-0117 does not
// match inside 2024-01178 or C-2024-0117.
func containsNumber(s, number string) bool {
	if number == "" {
		return false
	}
	ls, ln := strings.ToLower(s), strings.ToLower(number)
	for i := 0; ; {
		j := strings.Index(ls[i:], ln)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(ln)
		before, _ := utf8.DecodeLastRuneInString(ls[:start])
		after, _ := utf8.DecodeRuneInString(ls[end:])
		if (start == 0 || !tokenRune(before)) && (end == len(ls) || !tokenRune(after)) {
			return true
		}
		i = start + 1
	}
}

func tokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/'
}

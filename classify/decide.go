package classify

import (
	"fmt"
	"net/mail"
	"sort"
	"strings"
)

// Outcomes of a Decision.
const (
	OutcomeFile   = "file"
	OutcomeReview = "review"
	// OutcomeNone: not matter-related. Only for messages nobody labelled
	// for filing (an import of a whole mailbox); they are stored all the
	// same.
	OutcomeNone = "none"
)

// Alerts a Decision can raise; the caller records them as events.
const (
	AlertEthicalWall = "ethical-wall"
)

// Message is what the classifier looks at. It is built by the caller from
// the parsed message; classify never parses mail itself.
type Message struct {
	Subject string
	Labels  []string
	// Unparsed messages are decided on what could be recovered, but always
	// go to review: a person must look at a message we could not read.
	Unparsed bool
	// MessageID, InReplyTo and References are the header values, with or
	// without angle brackets.
	MessageID  string
	InReplyTo  string
	References []string
	// ThreadID is the Gmail thread ID within the mailbox.
	ThreadID string
	// From, To and Cc are bare addresses.
	From, To, Cc []string
	// Body is the plain text of the message.
	Body string
	// Attachments are the attachments' file names.
	Attachments []string
}

// ThreadIndex tells where earlier messages of a conversation were filed.
type ThreadIndex interface {
	// ThreadTarget returns the target of the messages recorded under key
	// (see ThreadKeys).
	ThreadTarget(key string) (target string, ok bool)
}

// ThreadMap is a ThreadIndex in memory.
type ThreadMap map[string]string

// ThreadTarget implements ThreadIndex.
func (m ThreadMap) ThreadTarget(key string) (string, bool) {
	t, ok := m[key]
	return t, ok
}

// Context is what Decide knows besides the message.
type Context struct {
	Index *Index
	// Mailbox is the address of the mailbox the message came from: its
	// owner's ethical walls apply, and its Gmail thread IDs are its own.
	Mailbox string
	// Threads may be nil: no thread continuity.
	Threads ThreadIndex
}

// ThreadKeys are the keys under which a message filed to a target is
// recorded, so that later replies follow it: its Message-ID and its Gmail
// thread in this mailbox.
func ThreadKeys(msg Message, mailbox string) []string {
	var keys []string
	if id := messageIDKey(msg.MessageID); id != "" {
		keys = append(keys, id)
	}
	if msg.ThreadID != "" && mailbox != "" {
		keys = append(keys, "gmail:"+strings.ToLower(mailbox)+":"+msg.ThreadID)
	}
	return keys
}

func messageIDKey(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if id == "" {
		return ""
	}
	return "msgid:" + id
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
	// Alert is set when the decision must be brought to someone's
	// attention (AlertEthicalWall).
	Alert string `json:"alert,omitempty"`
}

// Rule names.
const (
	RuleLabel         = "label"
	RuleNumber        = "subject-number"
	RuleAttachment    = "attachment-number"
	RuleBodyNumber    = "body-number"
	RuleSameMessage   = "same-message"
	RuleReply         = "reply"
	RuleReference     = "reference"
	RuleThread        = "thread"
	RuleParticipant   = "participant"
	RuleDomain        = "domain"
	RuleClientDomain  = "client-domain"
	RuleAlias         = "alias"
	RuleParty         = "party"
	RuleKeyword       = "keyword"
	RuleIgnoredNumber = "ignored-number"
	RuleUnknownNumber = "unknown-number"
	RuleOtherTarget   = "other-target"
	RuleConflict      = "conflict"
	RuleAmbiguous     = "ambiguous"
	RuleClosed        = "closed"
	RuleWalled        = "walled"
	RuleUnparsed      = "unparsed"
	RuleNoMatch       = "no-match"
	RuleUnmapped      = "unmapped-label"
	RuleThreshold     = "threshold"
	RuleLabelled      = "labelled"
)

// evidence kinds, strongest first. Each kind counts once per candidate
// (its strongest instance); kinds combine as independent evidence.
type kind int

const (
	evLabel kind = iota
	evSubjectNumber
	evAttachmentNumber
	evSameMessage
	evReply
	evReference
	evThread
	evBodyNumber
	evParticipant
	evDomain
	evClientDomain
	evAliasSubject
	evPartySubject
	evKeywordSubject
	evAliasBody
	evPartyBody
	evKeywordBody
	nKinds
)

// weight is how sure one piece of evidence of a kind makes us. The
// explicit kinds file on their own; a participant unique to one matter
// just reaches the default threshold; names and domains need each other.
var weight = [nKinds]float64{
	evLabel:            0.99,
	evSubjectNumber:    0.95,
	evAttachmentNumber: 0.92,
	evSameMessage:      0.97,
	evReply:            0.95,
	evReference:        0.9,
	evThread:           0.9,
	evBodyNumber:       0.8,
	evParticipant:      0.85,
	evDomain:           0.75,
	evClientDomain:     0.5,
	evAliasSubject:     0.75,
	evPartySubject:     0.6,
	evKeywordSubject:   0.6,
	evAliasBody:        0.55,
	evPartyBody:        0.45,
	evKeywordBody:      0.4,
}

// explicit kinds name the target; thread kinds follow an earlier filing.
func (k kind) explicit() bool { return k <= evAttachmentNumber }
func (k kind) thread() bool   { return k >= evSameMessage && k <= evThread }

// bodyScanLimit bounds the body text searched: what identifies a matter is
// near the top, and the cost must not grow with a pasted document.
const bodyScanLimit = 16 << 10

// cand collects the evidence for one target.
type cand struct {
	t       *Target
	ev      [nKinds]float64
	reasons []Reason
}

func (c *cand) confidence() float64 {
	miss := 1.0
	for _, w := range c.ev {
		miss *= 1 - w
	}
	return 1 - miss
}

// confidenceBeyond is c's confidence from the kinds of evidence other does
// not have as strongly.
func (c *cand) confidenceBeyond(other *cand) float64 {
	miss := 1.0
	for k, w := range c.ev {
		if w > other.ev[k] {
			miss *= 1 - w
		}
	}
	return 1 - miss
}

func (c *cand) has(pred func(kind) bool) bool {
	for k, w := range c.ev {
		if w > 0 && pred(kind(k)) {
			return true
		}
	}
	return false
}

// decider holds one decision's working state.
type decider struct {
	ix      *Index
	cands   map[*Target]*cand
	order   []*Target
	general []Reason
}

func (d *decider) add(t *Target, k kind, r Reason) {
	c, ok := d.cands[t]
	if !ok {
		c = &cand{t: t}
		d.cands[t] = c
		d.order = append(d.order, t)
	}
	r.Target = t.ID
	if weight[k] > c.ev[k] {
		c.ev[k] = weight[k]
	}
	c.reasons = append(c.reasons, r)
}

// Decide picks the target of msg, strongest evidence first: an explicit
// matter label, a target number in the subject or an attachment's name,
// thread continuity, a number in the body, then participants, domains and
// names. Conflicting strong evidence, ambiguous weak evidence, closed and
// walled targets and unparsed messages go to review with every candidate
// and reason; it never guesses between two targets.
func Decide(msg Message, c Context) Decision {
	ix := c.Index
	if ix == nil {
		return Decision{Outcome: OutcomeReview, Reasons: []Reason{{Rule: RuleNoMatch, Text: "the firm has no matters or contracts yet"}}}
	}
	d := &decider{ix: ix, cands: map[*Target]*cand{}}
	d.labels(msg)
	d.numbers(msg)
	d.threads(msg, c)
	d.participants(msg, c.Mailbox)
	d.names(msg)
	return d.decide(msg, c)
}

func (d *decider) labels(msg Message) {
	prefix := d.ix.pol.MatterLabelPrefix
	for _, l := range msg.Labels {
		if !strings.HasPrefix(l, prefix) || l == prefix {
			continue
		}
		t, ok := d.ix.byLabel(l)
		if !ok {
			d.general = append(d.general, Reason{Rule: RuleUnmapped, Text: fmt.Sprintf("label %s is not mapped to any matter or contract", l)})
			continue
		}
		d.add(t, evLabel, Reason{Rule: RuleLabel, Text: fmt.Sprintf("label %s", l)})
	}
}

func (d *decider) numbers(msg Message) {
	hits, unknown := d.ix.findNumbers(msg.Subject, true, false)
	for _, h := range hits {
		if h.stop != "" {
			d.general = append(d.general, Reason{Rule: RuleIgnoredNumber, Target: h.target.ID,
				Text: fmt.Sprintf("%s in the subject follows %q, so it is not read as the %s number", h.text, h.stop, h.target.Kind)})
			continue
		}
		d.add(h.target, evSubjectNumber, Reason{Rule: RuleNumber, Text: fmt.Sprintf("subject contains %s number %s", h.target.Kind, h.target.Number)})
	}
	for _, u := range unknown {
		d.general = append(d.general, Reason{Rule: RuleUnknownNumber, Text: fmt.Sprintf("subject mentions %s, which is not the number of any matter or contract", u)})
	}
	for _, name := range msg.Attachments {
		hits, _ := d.ix.findNumbers(name, false, true)
		for _, h := range hits {
			if h.stop == "" {
				d.add(h.target, evAttachmentNumber, Reason{Rule: RuleAttachment, Text: fmt.Sprintf("attachment name contains %s number %s", h.target.Kind, h.target.Number)})
			}
		}
	}
	if msg.Body == "" {
		return
	}
	hits, _ = d.ix.findNumbers(unquoted(msg.Body, bodyScanLimit), false, false)
	for _, h := range hits {
		if h.stop != "" {
			continue
		}
		d.add(h.target, evBodyNumber, Reason{Rule: RuleBodyNumber, Text: fmt.Sprintf("body contains %s number %s", h.target.Kind, h.target.Number)})
	}
}

func (d *decider) threads(msg Message, c Context) {
	if c.Threads == nil {
		return
	}
	look := func(key string, k kind, rule, text string) bool {
		if key == "" {
			return false
		}
		id, ok := c.Threads.ThreadTarget(key)
		if !ok {
			return false
		}
		t, ok := d.ix.byID[id]
		if !ok {
			return false
		}
		d.add(t, k, Reason{Rule: rule, Text: fmt.Sprintf(text, t.Kind, t.Number)})
		return true
	}
	look(messageIDKey(msg.MessageID), evSameMessage, RuleSameMessage, "the same message is filed to %s %s")
	look(messageIDKey(msg.InReplyTo), evReply, RuleReply, "reply to a message filed to %s %s")
	for _, ref := range msg.References {
		if strings.TrimSpace(ref) == strings.TrimSpace(msg.InReplyTo) {
			continue
		}
		look(messageIDKey(ref), evReference, RuleReference, "refers to a message filed to %s %s")
	}
	for _, key := range ThreadKeys(Message{ThreadID: msg.ThreadID}, c.Mailbox) {
		look(key, evThread, RuleThread, "in a Gmail conversation filed to %s %s")
	}
}

// participants weighs the people outside the firm: an address or a domain
// that belongs to exactly one open target. The firm's own domain and
// webmail domains identify nobody.
func (d *decider) participants(msg Message, mailbox string) {
	own := domainOf(mailbox)
	seen := map[string]bool{}
	clientOf := map[string]map[string]bool{}
	for _, list := range [][]string{msg.From, msg.To, msg.Cc} {
		for _, a := range list {
			a = normalizeAddress(a)
			dom := domainOf(a)
			if a == "" || seen[a] || dom == "" || dom == own {
				continue
			}
			seen[a] = true
			if ts := d.ix.addrs[a]; len(ts) == 1 {
				d.add(ts[0], evParticipant, Reason{Rule: RuleParticipant, Text: fmt.Sprintf("%s takes part only in %s %s", a, ts[0].Kind, ts[0].Number)})
			}
			if d.ix.public[dom] || seen["@"+dom] {
				continue
			}
			seen["@"+dom] = true
			ts := d.ix.domains[dom]
			switch {
			case len(ts) == 1:
				d.add(ts[0], evDomain, Reason{Rule: RuleDomain, Text: fmt.Sprintf("domain %s belongs only to %s %s", dom, ts[0].Kind, ts[0].Number)})
			case len(ts) > 1:
				clients := map[string]bool{}
				for _, t := range ts {
					clients[t.Client] = true
				}
				clientOf[dom] = clients
				if len(clients) == 1 {
					for _, t := range ts {
						d.add(t, evClientDomain, Reason{Rule: RuleClientDomain, Text: fmt.Sprintf("domain %s belongs only to client %s", dom, clientName(t))})
					}
				}
			}
		}
	}
}

func clientName(t *Target) string {
	if t.ClientName != "" {
		return t.ClientName
	}
	return t.Client
}

func (d *decider) names(msg Message) {
	d.phrases("subject", words(nil, msg.Subject), [...]kind{phraseAlias: evAliasSubject, phraseParty: evPartySubject, phraseKeyword: evKeywordSubject})
	if msg.Body != "" {
		d.phrases("body", words(nil, unquoted(msg.Body, bodyScanLimit)), [...]kind{phraseAlias: evAliasBody, phraseParty: evPartyBody, phraseKeyword: evKeywordBody})
	}
}

// phrases adds the evidence of the names found in ws (the words of the
// subject or body, where says which), weighed by kinds.
func (d *decider) phrases(where string, ws []string, kinds [3]kind) {
	for _, p := range d.ix.phrasesIn(ws) {
		what := [...]string{phraseAlias: "name", phraseParty: "party", phraseKeyword: "keyword"}[p.kind]
		d.add(p.target, kinds[p.kind], Reason{Rule: ruleOf(p.kind), Text: fmt.Sprintf("%s contains %s %q of %s %s", where, what, p.text, p.target.Kind, p.target.Number)})
	}
}

func ruleOf(k phraseKind) string {
	switch k {
	case phraseParty:
		return RuleParty
	case phraseKeyword:
		return RuleKeyword
	}
	return RuleAlias
}

func (d *decider) decide(msg Message, c Context) Decision {
	list := make([]*cand, 0, len(d.order))
	for _, t := range d.order {
		list = append(list, d.cands[t])
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].confidence() > list[j].confidence() })
	dec := Decision{Outcome: OutcomeReview}
	for _, c := range list {
		dec.Candidates = append(dec.Candidates, Candidate{Target: c.t.ID, Confidence: round(c.confidence()), Reasons: c.reasons})
	}
	var explicit, thread, body []*cand
	for _, c := range list {
		switch {
		case c.has(kind.explicit):
			explicit = append(explicit, c)
		case c.has(kind.thread):
			thread = append(thread, c)
		case c.ev[evBodyNumber] > 0:
			body = append(body, c)
		}
	}
	var pick *cand
	var conflict []*cand
	switch {
	case len(explicit) > 1:
		conflict = explicit
	case len(explicit) == 1 && len(thread) > 0 && explicit[0].ev[evLabel] == 0:
		// A number in the subject against the conversation's filing:
		// either may be stale, a person decides. A label is a lawyer's
		// decision and moves the message (and later replies) instead.
		conflict = append(explicit, thread...)
	case len(explicit) == 1:
		pick = explicit[0]
	case len(thread) > 1:
		conflict = thread
	case len(thread) == 1:
		pick = thread[0]
	case len(body) > 1:
		conflict = body
	case len(body) == 1:
		pick = body[0]
	case len(list) > 0:
		pick = list[0]
	}
	if conflict != nil {
		ids := make([]string, len(conflict))
		for i, c := range conflict {
			ids[i] = c.t.ID
		}
		dec.Reasons = append(d.general, Reason{Rule: RuleConflict, Text: "evidence points at more than one target: " + strings.Join(ids, ", ")})
		for _, c := range list {
			dec.Reasons = append(dec.Reasons, c.reasons...)
		}
		return d.finish(dec, msg)
	}
	if pick == nil {
		dec.Reasons = append(d.general, Reason{Rule: RuleNoMatch, Text: "no label, number, earlier filing in the conversation, participant or name points at a matter or contract"})
		return d.finish(dec, msg)
	}

	conf := pick.confidence()
	dec.Reasons = append(dec.Reasons, pick.reasons...)
	strong := pick.has(kind.explicit) || pick.has(kind.thread)
	// What speaks for other targets counts against the pick. A lawyer's
	// own label is not second-guessed by a mention elsewhere.
	for _, o := range list {
		if o == pick {
			continue
		}
		// Evidence that the pick shares with o (the client's domain)
		// cannot tell them apart, so it does not count for o here.
		oc := o.confidenceBeyond(pick)
		switch {
		case pick.ev[evLabel] > 0:
			if o.has(kind.thread) {
				dec.Reasons = append(dec.Reasons, Reason{Rule: RuleOtherTarget, Target: o.t.ID,
					Text: fmt.Sprintf("the conversation was filed to %s %s before; the label moves it", o.t.Kind, o.t.Number)})
			}
			continue
		case o.ev[evBodyNumber] > 0:
			conf -= 0.15
		case !strong && pick.confidenceBeyond(o) < 0.3 && o.confidence() >= 0.5:
			// Nothing speaks for the pick that does not speak for o as
			// well (the same alias, the same client): a tie, which a
			// person breaks.
			dec.Reasons = append(dec.Reasons, Reason{Rule: RuleAmbiguous, Target: o.t.ID,
				Text: fmt.Sprintf("the evidence fits %s %s just as well", o.t.Kind, o.t.Number)})
			conf = min(conf, 0.5)
			continue
		case !strong && oc >= 0.5:
			dec.Reasons = append(dec.Reasons, Reason{Rule: RuleAmbiguous, Target: o.t.ID,
				Text: fmt.Sprintf("the evidence also fits %s %s (%.2f)", o.t.Kind, o.t.Number, oc)})
			conf = min(conf, 0.5+(conf-oc)/2)
			continue
		case !strong && o.t.Client != pick.t.Client && oc >= 0.3:
			conf -= 0.1
		default:
			continue
		}
		dec.Reasons = append(dec.Reasons, Reason{Rule: RuleOtherTarget, Target: o.t.ID,
			Text: fmt.Sprintf("%s %s is mentioned too", o.t.Kind, o.t.Number)})
	}
	dec.Reasons = append(dec.Reasons, d.general...)
	if !pick.has(kind.explicit) {
		for _, r := range d.general {
			if r.Rule == RuleUnknownNumber {
				// The subject names a number the firm does not know:
				// most likely a new matter not yet in the registry.
				conf = min(conf, pol(c).FileThreshold-0.01)
			}
		}
	}
	dec.Confidence = round(max(conf, 0))
	t := pick.t
	switch {
	case msg.Unparsed:
		dec.Reasons = append(dec.Reasons, Reason{Rule: RuleUnparsed, Text: "the message could not be parsed; a person must check it"})
	case t.Status == StatusClosed:
		dec.Reasons = append(dec.Reasons, Reason{Rule: RuleClosed, Target: t.ID, Text: fmt.Sprintf("%s %s is closed; closed targets are never filed automatically", t.Kind, t.Number)})
	case walled(t, c.Mailbox):
		dec.Alert = AlertEthicalWall
		dec.Reasons = append(dec.Reasons, Reason{Rule: RuleWalled, Target: t.ID, Text: fmt.Sprintf("the mailbox owner is walled off from %s %s", t.Kind, t.Number)})
	case dec.Confidence < pol(c).FileThreshold:
		dec.Reasons = append(dec.Reasons, Reason{Rule: RuleThreshold, Text: fmt.Sprintf("confidence %.2f is below the filing threshold %.2f", dec.Confidence, pol(c).FileThreshold)})
	default:
		dec.Outcome, dec.Target, dec.Client = OutcomeFile, t.ID, t.Client
		return dec
	}
	return d.finish(dec, msg)
}

func pol(c Context) Policy { return c.Index.pol }

// finish settles a decision that files nothing: review, or not
// matter-related when nobody asked for filing and nothing points at a
// target.
func (d *decider) finish(dec Decision, msg Message) Decision {
	if msg.Unparsed && !hasRule(dec.Reasons, RuleUnparsed) {
		dec.Reasons = append(dec.Reasons, Reason{Rule: RuleUnparsed, Text: "the message could not be parsed; a person must check it"})
	}
	best := 0.0
	if len(dec.Candidates) > 0 {
		best = dec.Candidates[0].Confidence
	}
	if best >= d.ix.pol.ReviewThreshold || msg.Unparsed {
		return dec
	}
	for _, l := range msg.Labels {
		if d.ix.pol.IsFilingLabel(l) {
			dec.Reasons = append(dec.Reasons, Reason{Rule: RuleLabelled, Text: fmt.Sprintf("label %s asks for filing, so a person decides", l)})
			return dec
		}
	}
	dec.Outcome = OutcomeNone
	return dec
}

func hasRule(rs []Reason, rule string) bool {
	for _, r := range rs {
		if r.Rule == rule {
			return true
		}
	}
	return false
}

func walled(t *Target, mailbox string) bool {
	mailbox = normalizeAddress(mailbox)
	for _, w := range t.Walled {
		if w == mailbox {
			return true
		}
	}
	return false
}

func round(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

func normalizeAddress(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	if strings.ContainsAny(a, "<> ") {
		if p, err := mail.ParseAddress(a); err == nil {
			a = strings.ToLower(p.Address)
		}
	}
	return a
}

func domainOf(a string) string {
	a = normalizeAddress(a)
	i := strings.LastIndexByte(a, '@')
	if i < 0 {
		return ""
	}
	return a[i+1:]
}

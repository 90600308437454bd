package classify

import (
	"fmt"
	"regexp"
	"strings"
)

// Index is a registry compiled for deciding: every lookup Decide makes is
// a map access, so deciding costs the same for ten matters as for a
// hundred thousand. An Index is immutable and safe for concurrent use;
// build a new one when the registry or the policy changes.
type Index struct {
	pol      Policy
	patterns []*regexp.Regexp
	stop     map[string]bool
	public   map[string]bool
	byID     map[string]*Target
	labels   map[string]*Target
	numbers  map[string]*Target
	// addrs and domains hold open targets only: a participant of a closed
	// matter says nothing about a new message.
	addrs   map[string][]*Target
	domains map[string][]*Target
	// phrases maps the first folded word of every alias, party name and
	// keyword to the phrases starting with it.
	phrases map[string][]phrase
}

type phraseKind int

const (
	phraseAlias phraseKind = iota
	phraseParty
	phraseKeyword
)

type phrase struct {
	rest   []string
	kind   phraseKind
	text   string
	target *Target
}

// NewIndex compiles reg under pol. The registry must have been merged
// (validated); the policy is validated here.
func NewIndex(reg *Registry, pol Policy) (*Index, error) {
	if err := pol.Validate(); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	ix := &Index{
		pol: pol, stop: map[string]bool{}, public: map[string]bool{},
		byID: make(map[string]*Target, len(reg.Targets)), labels: map[string]*Target{},
		numbers: make(map[string]*Target, len(reg.Targets)), addrs: map[string][]*Target{},
		domains: map[string][]*Target{}, phrases: map[string][]phrase{},
	}
	for _, s := range pol.NumberPatterns {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("policy: number pattern: %w", err)
		}
		ix.patterns = append(ix.patterns, re)
	}
	for _, w := range pol.NumberStopWords {
		ix.stop[fold(w)] = true
	}
	for _, d := range pol.PublicDomains {
		ix.public[strings.ToLower(d)] = true
	}
	for i := range reg.Targets {
		t := &reg.Targets[i]
		ix.byID[t.ID] = t
		ix.numbers[numberKey(t.Number)] = t
		for _, l := range t.Labels {
			ix.labels[l] = t
		}
		ix.addPhrases(t, t.Aliases, phraseAlias)
		ix.addPhrases(t, t.OpposingParties, phraseParty)
		ix.addPhrases(t, t.Keywords, phraseKeyword)
		if t.Status != StatusOpen {
			continue
		}
		for _, a := range t.Participants {
			ix.addrs[a] = appendOnce(ix.addrs[a], t)
		}
		for _, d := range t.Domains {
			ix.domains[d] = appendOnce(ix.domains[d], t)
		}
	}
	return ix, nil
}

func appendOnce(ts []*Target, t *Target) []*Target {
	for _, have := range ts {
		if have == t {
			return ts
		}
	}
	return append(ts, t)
}

func (ix *Index) addPhrases(t *Target, list []string, kind phraseKind) {
	for _, s := range list {
		ws := words(nil, s)
		if len(ws) == 0 || (len(ws) == 1 && len(ws[0]) < 3) {
			// A two-letter alias would match everywhere.
			continue
		}
		ix.phrases[ws[0]] = append(ix.phrases[ws[0]], phrase{rest: ws[1:], kind: kind, text: s, target: t})
	}
}

// Policy is the policy the index was built with.
func (ix *Index) Policy() Policy { return ix.pol }

// Target returns the target with the given ID.
func (ix *Index) Target(id string) (Target, bool) {
	t, ok := ix.byID[id]
	if !ok {
		return Target{}, false
	}
	return *t, true
}

// Len is the number of targets.
func (ix *Index) Len() int { return len(ix.byID) }

// byLabel finds the target a matter label names: a label mapped to it, or
// prefix + number, alone or followed by a space and a title.
func (ix *Index) byLabel(label string) (*Target, bool) {
	if t, ok := ix.labels[label]; ok {
		return t, true
	}
	rest := strings.TrimPrefix(label, ix.pol.MatterLabelPrefix)
	num, _, _ := strings.Cut(rest, " ")
	t, ok := ix.numbers[numberKey(num)]
	return t, ok && strings.EqualFold(strings.TrimSpace(num), t.Number)
}

// numberHit is a target number found in a text.
type numberHit struct {
	target *Target
	text   string
	// stop is the word that made the number something else (an invoice
	// number); the hit is then no evidence.
	stop string
}

// findNumbers finds the known target numbers in s, and the strings that
// look like numbers (by the policy's patterns) but are none of the firm's.
func (ix *Index) findNumbers(s string) (hits []numberHit, unknown []string) {
	seen := map[*Target]bool{}
	add := func(t *Target, text string, at int) {
		if seen[t] {
			return
		}
		seen[t] = true
		h := numberHit{target: t, text: text}
		if w := precedingWord(s, at); ix.stop[w] {
			h.stop = w
		}
		hits = append(hits, h)
	}
	for _, tok := range numberTokens(nil, s) {
		if t, ok := ix.numbers[numberKey(tok.text)]; ok {
			add(t, tok.text, tok.start)
			continue
		}
		// A filename ("2024-0117.pdf") or two numbers in one token
		// ("2024-0117/2024-0142").
		if strings.ContainsAny(tok.text, "./") {
			off := 0
			for part := range strings.FieldsFuncSeq(tok.text, func(r rune) bool { return r == '.' || r == '/' }) {
				at := strings.Index(tok.text[off:], part) + off
				off = at + len(part)
				if t, ok := ix.numbers[numberKey(strings.Trim(part, "-"))]; ok {
					add(t, part, tok.start+at)
				}
			}
		}
	}
	var unknownSeen map[string]bool
	for _, re := range ix.patterns {
		for _, loc := range re.FindAllStringIndex(s, 8) {
			text := s[loc[0]:loc[1]]
			if t, ok := ix.numbers[numberKey(text)]; ok {
				add(t, text, loc[0])
				continue
			}
			if ix.stop[precedingWord(s, loc[0])] {
				continue
			}
			if unknownSeen == nil {
				unknownSeen = map[string]bool{}
			}
			if !unknownSeen[text] {
				unknownSeen[text] = true
				unknown = append(unknown, text)
			}
		}
	}
	return hits, unknown
}

// phrasesIn finds the targets' aliases, party names and keywords in ws
// (the folded words of a text).
func (ix *Index) phrasesIn(ws []string) []*phrase {
	var out []*phrase
	seen := map[*phrase]bool{}
	for i, w := range ws {
		list := ix.phrases[w]
	next:
		for k := range list {
			p := &list[k]
			if seen[p] || i+1+len(p.rest) > len(ws) {
				continue
			}
			for j, r := range p.rest {
				if ws[i+1+j] != r {
					continue next
				}
			}
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

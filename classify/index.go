package classify

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	// phrases maps the hash of the folded words of every alias, party
	// name and keyword to the phrases with that hash; phraseLens are the
	// word counts that occur. Matching costs one lookup per word and
	// length, however many phrases share their first words.
	phrases    map[uint64][]phrase
	phraseLens []int
}

type phraseKind int

const (
	phraseAlias phraseKind = iota
	phraseParty
	phraseKeyword
)

type phrase struct {
	words  []string
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
		domains: map[string][]*Target{}, phrases: map[uint64][]phrase{},
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
		if len(ws) > maxPhraseWords {
			continue
		}
		h := seqHash(wordHashes(nil, ws))
		ix.phrases[h] = append(ix.phrases[h], phrase{words: ws, kind: kind, text: s, target: t})
		if !slices.Contains(ix.phraseLens, len(ws)) {
			ix.phraseLens = append(ix.phraseLens, len(ws))
			slices.Sort(ix.phraseLens)
		}
	}
}

// maxPhraseWords bounds the phrases matched: a longer "alias" is a
// sentence, not a name.
const maxPhraseWords = 12

func wordHashes(dst []uint64, ws []string) []uint64 {
	for _, w := range ws {
		// FNV-1a, inline: hash/fnv would allocate per word.
		var h uint64 = 14695981039346656037
		for i := 0; i < len(w); i++ {
			h = (h ^ uint64(w[i])) * 1099511628211
		}
		dst = append(dst, h)
	}
	return dst
}

func seqHash(hs []uint64) uint64 {
	var h uint64 = 14695981039346656037
	for _, x := range hs {
		h = (h ^ x) * 1099511628211
		h ^= h >> 29
	}
	return h
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

// findNumbers finds the known target numbers in s and, with patterns set,
// the strings that look like numbers (by the policy's patterns) but are
// none of the firm's. Known numbers are found in any spelling by their
// tokens alone; the patterns only matter where an unknown number changes
// the decision (the subject), and they cost most of a decision's time.
//
// With stamp set (file names), a number that reads as a date followed by a
// time ("2024-0117_0932", a scanner's 17 January, 09:32) is not a number.
func (ix *Index) findNumbers(s string, patterns, stamp bool) (hits []numberHit, unknown []string) {
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
			if stamp && dateTimeStamp(s, tok) {
				continue
			}
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
	if !patterns {
		return hits, nil
	}
	var unknownSeen map[string]bool
	for _, re := range ix.patterns {
		for _, loc := range re.FindAllStringIndex(s, 8) {
			text := s[loc[0]:loc[1]]
			// Like a token, a match must stand alone: 2024/0117 inside
			// the tribunal reference LON/00AB/LSC/2024/0117 is not ours.
			if !standsAlone(s, loc[0], loc[1]) {
				continue
			}
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
	if len(ix.phrases) == 0 || len(ws) == 0 {
		return nil
	}
	hs := wordHashes(make([]uint64, 0, len(ws)), ws)
	var out []*phrase
	var seen map[*phrase]bool
	for i := range ws {
		for _, n := range ix.phraseLens {
			if i+n > len(ws) {
				break
			}
			list := ix.phrases[seqHash(hs[i:i+n])]
			for k := range list {
				p := &list[k]
				if !slices.Equal(p.words, ws[i:i+n]) || seen[p] {
					continue
				}
				if seen == nil {
					seen = map[*phrase]bool{}
				}
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// standsAlone reports whether s[i:j] is not part of a longer token.
func standsAlone(s string, i, j int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[j:])
	tok := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/' }
	return (i == 0 || !tok(before)) && (j == len(s) || !tok(after))
}

// dateTimeStamp reports whether tok reads as a date (YYYY-MMDD) and is
// followed by a time group (_HHMM or _HHMMSS), as scanners name files.
func dateTimeStamp(s string, tok numberToken) bool {
	t := tok.text
	if len(t) != 9 || t[4] != '-' || !allDigits(t[:4]) || !allDigits(t[5:]) {
		return false
	}
	month, day := atoi2(t[5:7]), atoi2(t[7:9])
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return false
	}
	rest := s[tok.start+len(t):]
	if len(rest) < 5 || (rest[0] != '_' && rest[0] != ' ') {
		return false
	}
	n := 0
	for n < len(rest)-1 && rest[1+n] >= '0' && rest[1+n] <= '9' {
		n++
	}
	return n == 4 || n == 6
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

package worker

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/mbox"
)

// Size mixes of the synthetic bench mail.
const (
	// BenchMixSmall is plain and multipart/alternative messages of a
	// few kilobytes.
	BenchMixSmall = "small"
	// BenchMixMixed adds messages with one or two attachments of 50 KB
	// to 2 MB (log-uniform), as a firm's mail has.
	BenchMixMixed = "mixed"
)

const (
	benchClients = 20
	benchMatters = 200
	benchSeed    = 0x6d617474
)

// BenchTargets is the matters registry the synthetic bench mail is
// written against: 200 open matters of 20 clients, each with its number,
// client domain, opposing counsel, alias and Gmail label.
func BenchTargets() []classify.Target {
	out := make([]classify.Target, 0, benchMatters)
	for i := range benchMatters {
		c := i % benchClients
		out = append(out, classify.Target{
			ID:           fmt.Sprintf("m-2025-%04d", i+1),
			Number:       fmt.Sprintf("2025-%04d", i+1),
			Title:        fmt.Sprintf("%s v. %s", benchClientName(c), benchOpponent(i)),
			Kind:         classify.KindMatter,
			Client:       fmt.Sprintf("client-%02d", c+1),
			ClientName:   benchClientName(c),
			Status:       classify.StatusOpen,
			Participants: []string{fmt.Sprintf("counsel%d@%s", i+1, benchOpponentDomain(i))},
			Domains:      []string{benchClientDomain(c)},
			Aliases:      []string{fmt.Sprintf("%s dispute %d", benchOpponent(i), i+1)},
			Labels:       []string{benchLabel(i)},
		})
	}
	return out
}

func benchClientName(c int) string   { return fmt.Sprintf("Client%02d Holdings", c+1) }
func benchClientDomain(c int) string { return fmt.Sprintf("client%02d.example", c+1) }
func benchOpponent(i int) string     { return fmt.Sprintf("Opponent%03d Ltd", i+1) }
func benchOpponentDomain(i int) string {
	return fmt.Sprintf("opp%03d-law.example", i+1)
}
func benchLabel(i int) string { return fmt.Sprintf("Matters/2025-%04d", i+1) }

var benchWords = strings.Fields(`the agreement party clause notice court hearing draft
disclosure witness statement counsel settlement invoice schedule deadline please
review attached comments revised version signature board meeting claim damages
payment term termination lease property delivery contract amendment position
letter response filing order judge expert report exhibit bundle timetable`)

// WriteBenchMbox writes n synthetic messages as a Takeout mbox to w and
// returns their total size in bytes (as the mbox reader yields them).
// The same n and mix always give the same bytes. About a third name a
// matter number in the subject, a sixth carry a matter label, a sixth come
// from a client's domain, and the rest have no evidence and go to review,
// so that classification does real work.
func WriteBenchMbox(w io.Writer, n int, mix string) (int64, error) {
	if mix != BenchMixSmall && mix != BenchMixMixed {
		return 0, fmt.Errorf("size mix %q: want %q or %q", mix, BenchMixSmall, BenchMixMixed)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var total int64
	var sb strings.Builder
	for i := range n {
		sb.Reset()
		benchMessage(&sb, i, mix)
		msg := []byte(sb.String())
		total += int64(len(msg))
		if err := mbox.WriteMessage(bw, msg); err != nil {
			return total, err
		}
	}
	return total, bw.Flush()
}

func benchMessage(b *strings.Builder, i int, mix string) {
	r := rand.New(rand.NewPCG(benchSeed, uint64(i)))
	m := r.IntN(benchMatters)
	c := m % benchClients
	date := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Minute)
	from := fmt.Sprintf("person%d@mail%d.example", r.IntN(500), r.IntN(50))
	labels := "Inbox,File to matter"
	subject := benchSentence(r, 4+r.IntN(6))
	switch p := r.IntN(6); p {
	case 0, 1:
		subject = fmt.Sprintf("Re: %s – %s", fmt.Sprintf("2025-%04d", m+1), subject)
	case 2:
		labels = "Inbox," + benchLabel(m)
	case 3:
		from = fmt.Sprintf("contact%d@%s", r.IntN(20), benchClientDomain(c))
	}
	fmt.Fprintf(b, "X-GM-THRID: %d\r\nX-Gmail-Labels: %s\r\n", 1_800_000_000_000_000_000+uint64(i), labels)
	fmt.Fprintf(b, "Message-ID: <bench-%d-%x@mail.example>\r\n", i, r.Uint32())
	fmt.Fprintf(b, "Date: %s\r\nFrom: %s\r\nTo: lawyer%d@firm.example\r\n", date.Format(time.RFC1123Z), from, r.IntN(30))
	fmt.Fprintf(b, "Subject: %s\r\nMIME-Version: 1.0\r\n", subject)
	text := benchParagraphs(r, 1+r.IntN(6))
	kind := r.IntN(100)
	switch {
	case mix == BenchMixMixed && kind < 20:
		benchWithAttachments(b, r, i, text)
	case kind < 55:
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(text)
	default:
		fmt.Fprintf(b, "Content-Type: multipart/alternative; boundary=\"alt-%d\"\r\n\r\n", i)
		benchAlternative(b, i, text)
	}
}

func benchAlternative(b *strings.Builder, i int, text string) {
	fmt.Fprintf(b, "--alt-%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", i, text)
	fmt.Fprintf(b, "--alt-%d\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>", i)
	for p := range strings.SplitSeq(strings.TrimSpace(text), "\r\n\r\n") {
		fmt.Fprintf(b, "<p>%s</p>", p)
	}
	fmt.Fprintf(b, "</body></html>\r\n--alt-%d--\r\n", i)
}

func benchWithAttachments(b *strings.Builder, r *rand.Rand, i int, text string) {
	fmt.Fprintf(b, "Content-Type: multipart/mixed; boundary=\"mix-%d\"\r\n\r\n", i)
	fmt.Fprintf(b, "--mix-%d\r\nContent-Type: multipart/alternative; boundary=\"alt-%d\"\r\n\r\n", i, i)
	benchAlternative(b, i, text)
	for a := range 1 + r.IntN(2) {
		size := int(math.Exp(math.Log(50_000) + r.Float64()*math.Log(40)))
		data := make([]byte, size)
		var seed [32]byte
		seed[0], seed[1], seed[2] = byte(i), byte(i>>8), byte(a)
		seed[3], seed[4] = byte(i>>16), byte(i>>24)
		_, _ = rand.NewChaCha8(seed).Read(data)
		fmt.Fprintf(b, "\r\n--mix-%d\r\nContent-Type: application/pdf; name=\"exhibit-%d-%d.pdf\"\r\n", i, i, a)
		fmt.Fprintf(b, "Content-Disposition: attachment; filename=\"exhibit-%d-%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i, a)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76])
			b.WriteString("\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(b, "--mix-%d--\r\n", i)
}

func benchSentence(r *rand.Rand, words int) string {
	ws := make([]string, words)
	for i := range ws {
		ws[i] = benchWords[r.IntN(len(benchWords))]
	}
	return strings.ToUpper(ws[0][:1]) + strings.Join(ws, " ")[1:]
}

func benchParagraphs(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		for range 3 + r.IntN(6) {
			b.WriteString(benchSentence(r, 6+r.IntN(14)))
			b.WriteString(". ")
		}
		b.WriteString("\r\n\r\n")
	}
	return b.String()
}

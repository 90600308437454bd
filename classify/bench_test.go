package classify_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
)

// syntheticRegistry is a firm with n matters over n/4 clients, each with
// participants, a domain, an alias, a party and a label, so that every
// index is as full as a large firm's.
func syntheticRegistry(tb testing.TB, n int) *classify.Registry {
	tb.Helper()
	ts := make([]classify.Target, n)
	for i := range ts {
		c := i / 4
		ts[i] = classify.Target{
			ID: fmt.Sprintf("m-%d", i), Number: fmt.Sprintf("%d-%04d", 2000+i/10000, i%10000), Title: fmt.Sprintf("Matter %d", i),
			Kind: "matter", Client: fmt.Sprintf("c-%d", c), Status: "open",
			Participants:    []string{fmt.Sprintf("contact%d@client%d.example", i, c), fmt.Sprintf("counsel%d@other%d.example", i%500, i%500)},
			Domains:         []string{fmt.Sprintf("client%d.example", c)},
			Aliases:         []string{fmt.Sprintf("Project Falcon %d", i)},
			OpposingParties: []string{fmt.Sprintf("Opponent Holdings %d", i)},
			Keywords:        []string{fmt.Sprintf("warehouse %d", i)},
			Labels:          []string{fmt.Sprintf("Matters/%d-%04d", 2000+i/10000, i%10000)},
		}
	}
	var reg classify.Registry
	_, _, err := reg.Merge(ts)
	require.NoError(tb, err)
	return &reg
}

// typicalMessage is a reply of a few KB from a client contact with the
// firm and opposing counsel in copy, quoting the message before.
func typicalMessage(n int) classify.Message {
	i := n / 2
	body := strings.Repeat("Thank you for the draft. We have reviewed the indemnity clause and the limitation of liability and would like to discuss the cap with the other side before Friday.\n", 12) +
		fmt.Sprintf("Best regards,\nJo\nPhone +1 555 0100 2024\n\nOn Mon, 4 Mar 2024 at 10:02, Alice wrote:\n> Please find attached the draft for Project Falcon %d.\n> Invoice 2024-0117 is attached too.\n", i)
	return classify.Message{
		Subject: fmt.Sprintf("Re: Project Falcon %d – draft settlement", i), Labels: []string{"INBOX", "File to matter"},
		MessageID: "<reply-1@client.example>", InReplyTo: "<start-1@firm.example>", References: []string{"<start-0@firm.example>", "<start-1@firm.example>"},
		ThreadID: "18c0ffee", From: []string{fmt.Sprintf("contact%d@client%d.example", i, i/4)},
		To: []string{"alice@firm.example"}, Cc: []string{fmt.Sprintf("counsel%d@other%d.example", i%500, i%500)},
		Body: body, Attachments: []string{"draft settlement v3.docx"},
	}
}

// BenchmarkDecide measures one decision of a typical message; the cost
// must stay flat from 100 to 100,000 matters (the indexes are maps).
func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run(fmt.Sprintf("matters=%d", n), func(b *testing.B) {
			ix, err := classify.NewIndex(syntheticRegistry(b, n), classify.DefaultPolicy())
			require.NoError(b, err)
			msg := typicalMessage(n)
			threads := classify.ThreadMap{"msgid:start-0@firm.example": fmt.Sprintf("m-%d", n/2)}
			ctx := classify.Context{Index: ix, Mailbox: "alice@firm.example", Threads: threads}
			if d := classify.Decide(msg, ctx); d.Outcome != classify.OutcomeFile || d.Target != fmt.Sprintf("m-%d", n/2) {
				b.Fatalf("the benchmark message must be decidable: %+v", d)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				classify.Decide(msg, ctx)
			}
		})
	}
}

// BenchmarkNewIndex measures compiling a large firm's registry, which the
// worker does once per registry change.
func BenchmarkNewIndex(b *testing.B) {
	reg := syntheticRegistry(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := classify.NewIndex(reg, classify.DefaultPolicy()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecideCostDoesNotGrowWithMatters checks the property the benchmark
// measures without timing anything: deciding against 100,000 matters
// allocates no more than against 100 (nothing walks the registry).
func TestDecideCostDoesNotGrowWithMatters(t *testing.T) {
	allocs := map[int]float64{}
	for _, n := range []int{100, 100_000} {
		ix, err := classify.NewIndex(syntheticRegistry(t, n), classify.DefaultPolicy())
		require.NoError(t, err)
		msg := typicalMessage(n)
		ctx := classify.Context{Index: ix, Mailbox: "alice@firm.example"}
		allocs[n] = testing.AllocsPerRun(20, func() { classify.Decide(msg, ctx) })
	}
	require.LessOrEqual(t, allocs[100_000], allocs[100]*1.1+2, "allocations per decision: %v", allocs)
}

func FuzzDecide(f *testing.F) {
	ix := tiersIndex(f)
	f.Add("Re: [2024-0117] draft", "Regarding 2024/0142.\n> 2024-0201\nOn x wrote:\n", "kim@wexford.example", "a_2024-0117.pdf")
	f.Add("Invoice no. 2024-0117", "Tel. 2024-0142", "x@group.example", "")
	f.Add("MÜLLER MASCHINENBAU GMBH", "\xff\xfe 2024-0117.", "<bad", "C-2024-031..pdf")
	f.Fuzz(func(t *testing.T, subject, body, from, attachment string) {
		d := classify.Decide(classify.Message{Subject: subject, Body: body, From: []string{from}, Attachments: []string{attachment},
			Labels: []string{"File to matter"}}, classify.Context{Index: ix, Mailbox: "alice@firm.example"})
		switch d.Outcome {
		case classify.OutcomeFile:
			tg, ok := ix.Target(d.Target)
			require.True(t, ok)
			require.Equal(t, tg.Client, d.Client)
			require.Equal(t, classify.StatusOpen, tg.Status, "closed targets are never filed")
			require.GreaterOrEqual(t, d.Confidence, ix.Policy().FileThreshold)
		case classify.OutcomeReview:
			require.Empty(t, d.Target)
		default:
			t.Fatalf("a labelled message is filed or reviewed, got %q", d.Outcome)
		}
		require.NotEmpty(t, d.Reasons)
	})
}

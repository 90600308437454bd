//go:build ignore

// Command check runs the fixtures through matterfile's own code: it splits
// every testdata/mbox/*.mbox with package mbox, parses every message with
// package ingest, decides it with package classify against
// testdata/matters.csv, and compares the outcome with EXPECTED.csv. It also
// checks that matters.json holds the same targets as matters.csv and that
// sanitized HTML keeps no script or tracker.
//
//	go run testdata/gen/check.go      # from the repository root; -v lists every message
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/ingest/mbox"
)

type sink struct {
	parts []*buf
}

type buf struct {
	info ingest.PartInfo
	bytes.Buffer
}

func (b *buf) Close() error { return nil }

func (s *sink) CreatePart(p ingest.PartInfo) (io.WriteCloser, error) {
	b := &buf{info: p}
	s.parts = append(s.parts, b)
	return b, nil
}

func main() {
	verbose := flag.Bool("v", false, "list every message")
	flag.Parse()
	failed := 0
	fail := func(format string, args ...any) {
		failed++
		fmt.Printf("FAIL "+format+"\n", args...)
	}

	f, err := os.Open("testdata/matters.csv")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fromCSV, err := classify.ParseCSV(f)
	f.Close()
	if err != nil {
		fmt.Println("matters.csv:", err)
		os.Exit(1)
	}
	f, _ = os.Open("testdata/matters.json")
	fromJSON, err := classify.ParseJSON(f)
	f.Close()
	if err != nil {
		fail("matters.json: %v", err)
	} else if !reflect.DeepEqual(fromCSV, fromJSON) {
		fail("matters.json and matters.csv differ")
	}
	var reg classify.Registry
	if _, _, err := reg.Merge(fromCSV); err != nil {
		fail("merge targets: %v", err)
	}
	pol := classify.DefaultPolicy()
	ix, err := classify.NewIndex(&reg, pol)
	if err != nil {
		fail("index: %v", err)
	}
	// Conversations filed so far, as the worker records them; messages
	// are decided in file order.
	threads := classify.ThreadMap{}

	f, _ = os.Open("testdata/mbox/EXPECTED.csv")
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		fmt.Println("EXPECTED.csv:", err)
		os.Exit(1)
	}
	type row struct{ id, filing, expected string }
	want := map[string]row{}
	for _, r := range rows[1:] {
		want[r[0]+"#"+r[1]] = row{r[2], r[3], r[4]}
	}

	files, _ := filepath.Glob("testdata/mbox/*.mbox")
	total, attachments, htmlBodies := 0, 0, 0
	for _, path := range files {
		fh, err := os.Open(path)
		if err != nil {
			fail("%v", err)
			continue
		}
		rd := mbox.NewReader(fh)
		name := filepath.Base(path)
		for i := 0; ; i++ {
			r, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				fail("%s #%d: %v", name, i, err)
				break
			}
			raw, _ := io.ReadAll(r)
			total++
			s := &sink{}
			msg, err := ingest.Parse(bytes.NewReader(raw), s, ingest.DefaultLimits())
			if err != nil {
				fail("%s #%d: parse: %v", name, i, err)
				continue
			}
			take := false
			for _, l := range msg.GmailLabels {
				take = take || pol.IsFilingLabel(l)
			}
			mailbox := strings.TrimSuffix(name, ".mbox") + "@harperlegal.example"
			in := classify.Message{Subject: msg.Subject, Labels: msg.GmailLabels, Unparsed: msg.Unparsed,
				MessageID: msg.MessageID, InReplyTo: msg.InReplyTo, References: msg.References, ThreadID: msg.GmailThreadID,
				From: addrs(msg.From), To: addrs(msg.To), Cc: addrs(msg.Cc), Body: msg.Text}
			for _, p := range msg.Parts {
				if p.Filename != "" {
					in.Attachments = append(in.Attachments, p.Filename)
				}
			}
			dec := classify.Decide(in, classify.Context{Index: ix, Mailbox: mailbox, Threads: threads})
			if take && dec.Outcome == classify.OutcomeFile {
				for _, k := range classify.ThreadKeys(in, mailbox) {
					threads[k] = dec.Target
				}
			}
			got := "review"
			switch {
			case !take:
				got = "skipped"
			case msg.Unparsed:
				got = "unparsed"
				if dec.Outcome != classify.OutcomeReview {
					fail("%s #%d: unparsed but decided %s", name, i, dec.Outcome)
				}
			case dec.Outcome == classify.OutcomeFile:
				got = "filed:" + dec.Target
			}
			if *verbose && got == "review" || want[name+"#"+strconv.Itoa(i)].expected != got {
				for _, r := range dec.Reasons {
					fmt.Printf("      reason %s %s: %s\n", r.Rule, r.Target, r.Text)
				}
			}
			w, ok := want[name+"#"+strconv.Itoa(i)]
			switch {
			case !ok:
				fail("%s #%d: no row in EXPECTED.csv", name, i)
			case w.expected == "custodian" && strings.HasPrefix(got, "filed:"):
				// Filed once from the other mailbox; this copy adds a
				// custodian (package worker), which classify cannot see.
			case w.expected != got:
				fail("%s #%d: expected %s, got %s (%q, labels %q)", name, i, w.expected, got, msg.Subject, msg.GmailLabels)
			case w.id != msg.MessageID:
				fail("%s #%d: Message-ID %s, EXPECTED.csv says %s", name, i, msg.MessageID, w.id)
			case (w.filing == "yes") != take:
				fail("%s #%d: filing_label %s, import takes it: %v", name, i, w.filing, take)
			}
			delete(want, name+"#"+strconv.Itoa(i))
			var desc []string
			nAtt := 0
			for _, p := range s.parts {
				d := p.info.Kind + ":" + p.info.ContentType
				if p.info.Filename != "" {
					d += "[" + p.info.Filename + "]"
				}
				if p.info.ContentID != "" {
					d += "<cid>"
				}
				desc = append(desc, d)
				switch p.info.Kind {
				case ingest.KindAttachment:
					nAtt++
				case ingest.KindHTML:
					htmlBodies++
					low := strings.ToLower(p.String())
					for _, bad := range []string{"<script", "tracker.example", "onload", "onclick"} {
						if strings.Contains(low, bad) {
							fail("%s #%d: sanitized HTML still holds %q", name, i, bad)
						}
					}
				}
				if p.Len() == 0 {
					fail("%s #%d: empty part %s", name, i, d)
				}
			}
			if nAtt > 0 {
				attachments++
			}
			if *verbose {
				from := ""
				if len(msg.From) > 0 {
					from = msg.From[0].Name + " <" + msg.From[0].Addr + ">"
				}
				fmt.Printf("%s #%-2d %-18s %q\n      from %s labels %q flags %v\n      parts %s\n", name, i, got, msg.Subject, from, msg.GmailLabels, msg.Flags, strings.Join(desc, " "))
			}
		}
		fh.Close()
	}
	for k := range want {
		fail("EXPECTED.csv row %s has no message", k)
	}
	fmt.Printf("%d messages in %d mailboxes, %d targets, %d messages with attachments, %d HTML bodies\n", total, len(files), len(fromCSV), attachments, htmlBodies)
	if failed > 0 {
		fmt.Printf("%d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("EXPECTED.csv matches ingest + classify")
}

func addrs(as []ingest.Address) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Addr)
	}
	return out
}

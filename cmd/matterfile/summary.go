package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// summary is what a person wants to know after filing.
type summary struct {
	Tenant       string
	Read         int
	Skipped      int
	AlreadyFiled int
	Queued       int
	Filed        map[string]int // matter ID → messages filed there by this run
	Review       int
	Unparsed     int
	Failed       int
	Pending      int
	Where        string
	RootKey      string // shown when set: the demo says where its key lies
}

// summarize reads the outcome of this run's messages back from the store,
// the system of record, rather than trusting the queue.
func (a *app) summarize(ctx context.Context, tenant string, res worker.ImportResult, _ worker.WaitResult) (*summary, error) {
	s := &summary{Tenant: tenant, Filed: map[string]int{}, Where: a.where}
	if err := s.add(ctx, a, tenant, res); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *summary) add(ctx context.Context, a *app, tenant string, res worker.ImportResult) error {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return err
	}
	failed := map[string]bool{}
	fs, err := t.Failures(ctx)
	if err != nil {
		return err
	}
	for _, f := range fs {
		failed[f.Message] = true
	}
	s.Read += res.Read
	s.Skipped += res.Skipped
	s.AlreadyFiled += res.AlreadyFiled
	s.Queued += res.Queued
	for _, ref := range res.Tasks {
		e, err := t.Lookup(ctx, ref.Message)
		switch {
		case err == nil:
			if err := s.count(ctx, t, e); err != nil {
				return err
			}
		case errors.Is(err, storage.ErrNotFound) && failed[ref.Message]:
			s.Failed++
		case errors.Is(err, storage.ErrNotFound):
			s.Pending++
		default:
			return err
		}
	}
	return nil
}

func (s *summary) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "tenant\t%s\n", s.Tenant)
	fmt.Fprintf(tw, "messages read\t%d\n", s.Read)
	fmt.Fprintf(tw, "  without a filing label (skipped)\t%d\n", s.Skipped)
	fmt.Fprintf(tw, "  filed by an earlier run\t%d\n", s.AlreadyFiled)
	fmt.Fprintf(tw, "  filed now\t%d\n", s.Queued)
	matters := make([]string, 0, len(s.Filed))
	for m := range s.Filed {
		matters = append(matters, m)
	}
	sort.Strings(matters)
	for _, m := range matters {
		fmt.Fprintf(tw, "    filed to %s\t%d\n", m, s.Filed[m])
	}
	fmt.Fprintf(tw, "    sent to review\t%d\n", s.Review)
	fmt.Fprintf(tw, "      of which unparsed (stored raw, flagged)\t%d\n", s.Unparsed)
	fmt.Fprintf(tw, "    failed\t%d\n", s.Failed)
	if s.Pending > 0 {
		fmt.Fprintf(tw, "    still pending\t%d\n", s.Pending)
	}
	fmt.Fprintf(tw, "encrypted data\t%s\n", s.Where)
	if s.RootKey != "" {
		fmt.Fprintf(tw, "root key\t%s\n", s.RootKey)
	}
	tw.Flush()
}

// totals replaces the outcome counts with those of everything the tenant
// has in the store, for a demo that may run more than once.
func (s *summary) totals(ctx context.Context, a *app, tenant string) error {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return err
	}
	s.Filed, s.Review, s.Unparsed, s.Failed, s.Pending = map[string]int{}, 0, 0, 0, 0
	entries, err := t.Messages(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := s.count(ctx, t, e); err != nil {
			return err
		}
	}
	fs, err := t.Failures(ctx)
	if err != nil {
		return err
	}
	s.Failed = len(fs)
	pending, err := t.Pending(ctx)
	if err != nil {
		return err
	}
	s.Pending = len(pending)
	return nil
}

// count adds one stored message to the outcome counts.
func (s *summary) count(ctx context.Context, t *catalog.Tenant, e catalog.IndexEntry) error {
	m, err := t.Manifest(ctx, e)
	if err != nil {
		return err
	}
	if m.Message.Unparsed {
		s.Unparsed++
	}
	if e.State == catalog.StateFiled {
		s.Filed[e.Matter]++
	} else {
		s.Review++
	}
	return nil
}

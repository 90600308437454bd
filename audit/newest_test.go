package audit_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
)

func TestNewest(t *testing.T) {
	ctx := context.Background()
	l := setup(t, audit.Config{}).log
	for _, a := range []string{"user:a", "user:b", "user:a", "user:b", "user:a"} {
		if _, err := l.Record(ctx, audit.Record{Actor: a, Action: audit.ActionLogin, Outcome: audit.OK}); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint64
	err := l.Newest(ctx, audit.Filter{Actor: "user:a"}, func(r audit.Record) bool {
		got = append(got, r.Seq)
		return len(got) < 2
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 5 || got[1] != 3 {
		t.Fatalf("Newest: got seqs %v, want [5 3]", got)
	}
}

// TestNewestSeesOtherWriters: records appended through another Log (another
// process) after this one read its head are listed too.
func TestNewestSeesOtherWriters(t *testing.T) {
	b := setup(t, audit.Config{})
	ctx := context.Background()
	_, err := b.log.Record(ctx, audit.Record{Actor: "user:a", Action: audit.ActionLogin, Outcome: audit.OK})
	if err != nil {
		t.Fatal(err)
	}
	require.NoError(t, b.log.Newest(ctx, audit.Filter{}, func(audit.Record) bool { return true }))
	other := b.newLog(t, b.open(t))
	for range 2 {
		_, err := other.Record(ctx, audit.Record{Actor: "user:b", Action: audit.ActionLogin, Outcome: audit.OK})
		require.NoError(t, err)
	}
	var got []uint64
	require.NoError(t, b.log.Newest(ctx, audit.Filter{}, func(r audit.Record) bool {
		got = append(got, r.Seq)
		return true
	}))
	require.Equal(t, []uint64{3, 2, 1}, got)
}

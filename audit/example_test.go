package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// deleteClient stands for any consumer: it depends on audit.Recorder only,
// and records after acting, whatever the outcome.
func deleteClient(ctx context.Context, rec audit.Recorder, osUser, tenant, client string) error {
	err := error(nil) // … destroy the client's keysets here …
	r := audit.Record{
		Actor:   "cli:" + osUser,
		Action:  audit.ActionClientDelete,
		Objects: map[string]string{"tenant": tenant, "client": client},
		Outcome: audit.OK,
		Detail:  "keysets destroyed",
	}
	if err != nil {
		r.Outcome, r.Detail = audit.Failed, "keyset store unavailable"
	}
	if _, aerr := rec.Record(ctx, r); aerr != nil {
		return fmt.Errorf("delete client %s: %w", client, aerr)
	}
	return err
}

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "audit-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	keys, err := storage.NewLocal(filepath.Join(dir, "keys"))
	if err != nil {
		panic(err)
	}
	defer keys.Close()
	data, err := storage.NewLocal(filepath.Join(dir, "data"))
	if err != nil {
		panic(err)
	}
	defer data.Close()
	root, err := sealed.OpenRootKey("file://"+filepath.Join(dir, "root.key"), true)
	if err != nil {
		panic(err)
	}
	kr := sealed.Keyring{Store: keys, Root: root}
	if err := sealed.CreateTenant(ctx, kr, "acme-law"); err != nil {
		panic(err)
	}
	s, err := sealed.Open(ctx, kr, data, "acme-law")
	if err != nil {
		panic(err)
	}
	log, err := audit.New(s, data, audit.Config{})
	if err != nil {
		panic(err)
	}

	if err := deleteClient(ctx, log, "alice", "acme-law", "northwind"); err != nil {
		panic(err)
	}
	if _, err := log.Checkpoint(ctx); err != nil {
		panic(err)
	}
	rep, err := log.Verify(ctx)
	fmt.Println(rep.Verified, "record(s), checkpoint at", rep.LatestCheckpoint, "error:", err)
	_ = log.List(ctx, audit.Filter{Actor: "cli:alice"}, func(r audit.Record) error {
		fmt.Println(r.Seq, r.Action, r.Objects["client"], r.Outcome)
		return nil
	})
	// Output:
	// 1 record(s), checkpoint at 1 error: <nil>
	// 1 client.delete northwind ok
}

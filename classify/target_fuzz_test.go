package classify_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ids"
)

func FuzzParseJSON(f *testing.F) {
	ts, err := classify.ParseCSV(strings.NewReader(registryCSV))
	if err != nil {
		f.Fatal(err)
	}
	arr, _ := json.Marshal(ts)
	wrapped, _ := json.Marshal(classify.Registry{Targets: ts})
	for _, s := range []string{
		readSeed(f, "matters.json"), string(arr), string(wrapped), "", "null", "[]", "{}", `{"targets":null}`, "[null]",
		`[{"id":" m-1 ","number":" 1 ","kind":" Matter ","client":"acme","status":"OPEN","labels":[" a ",""]}]`,
		`[{"id":"M-1","number":"1","kind":"matter","client":"acme"}]`,
		`[{"id":"m-1","number":"1","kind":"matter","client":"../acme"}]`,
		`[{"id":"m-1","number":"\u00a0","kind":"matter","client":"acme"}]`,
		`[{"id":"m-1","number":"1","kind":"matter","client":"acme","id":"../x"}]`,
		`[{"ID":"m-1","Number":"1","KIND":"matter","client":"acme"}]`,
		`{"targets":[{"id":"m-1","number":"1","kind":"matter","client":"acme"}],"targets":[]}`,
		`[{"id":"m-1","number":"1","kind":"matter","client":"acme","participants":["\u0130@X.COM"]}]`,
		"[{\"id\":\"m-1\",\"number\":\"1\",\"kind\":\"matter\",\"client\":\"acme\",\"title\":\"\xff\"}]",
		`[{"id":1}]`, `[{"id":"m-1"`, "\ufeff[]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := classify.ParseJSON(strings.NewReader(s))
		if err != nil {
			if ts != nil {
				t.Errorf("error %v with %d targets", err, len(ts))
			}
			return
		}
		checkParsed(t, ts)
		// An export read back is the same registry: normalizing twice
		// changes nothing.
		out, err := json.Marshal(ts)
		if err != nil {
			t.Fatal(err)
		}
		again, err := classify.ParseJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("own output refused: %v\n%s", err, out)
		}
		if len(ts) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(ts, again) {
			t.Errorf("not stable on reparse:\n%+v\n%+v", ts, again)
		}
	})
}

// readSeed reads a registry export from the repository's testdata.
func readSeed(f *testing.F, name string) string {
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}

// checkParsed asserts what an import may hand to Merge: targets that
// validate, with IDs canonical by ids' own rule (so a change to Validate
// cannot let a path through), and fields normalized.
func checkParsed(t *testing.T, ts []classify.Target) {
	t.Helper()
	for _, tg := range ts {
		if err := tg.Validate(); err != nil {
			t.Fatalf("accepted a target that does not validate: %v", err)
		}
		if !ids.Valid(tg.ID) || !ids.Valid(tg.Client) {
			t.Fatalf("accepted non-canonical ids %q, client %q", tg.ID, tg.Client)
		}
		if tg.Number != strings.TrimSpace(tg.Number) || tg.Number == "" {
			t.Fatalf("number %q not normalized", tg.Number)
		}
		for _, l := range [][]string{tg.Participants, tg.Aliases, tg.Labels} {
			for _, x := range l {
				if x == "" || x != strings.TrimSpace(x) {
					t.Fatalf("list entry %q not normalized", x)
				}
			}
		}
	}
}

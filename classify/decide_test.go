package classify_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
)

const registryCSV = `id,number,title,kind,client,client_name,status,participants,aliases,labels
m-2024-0117,2024-0117,Acme v. Beta,matter,acme,Acme Corp,open,@acme.example,Beta,Matters/2024-0117 Acme v. Beta
m-2024-0201,2024-0201,Acme lease,matter,acme,Acme Corp,open,,,
c-2024-031,C-2024-031,Supply agreement,contract,delta,Delta Ltd,open,,,Matters/Contracts/Delta supply
m-2019-0003,2019-0003,Old dispute,matter,delta,Delta Ltd,closed,,,
`

func registry(t *testing.T) *classify.Registry {
	t.Helper()
	ts, err := classify.ParseCSV(strings.NewReader(registryCSV))
	require.NoError(t, err)
	var reg classify.Registry
	_, _, err = reg.Merge(ts)
	require.NoError(t, err)
	return &reg
}

func TestDecide(t *testing.T) {
	reg := registry(t)
	pol := classify.DefaultPolicy()
	tests := []struct {
		name       string
		msg        classify.Message
		outcome    string
		target     string
		candidates []string
		rule       string
	}{
		{"mapped label", classify.Message{Subject: "draft", Labels: []string{"Inbox", "Matters/2024-0117 Acme v. Beta"}}, "file", "m-2024-0117", []string{"m-2024-0117"}, "label"},
		{"label of number and title not mapped", classify.Message{Labels: []string{"Matters/2024-0201 Lease"}}, "file", "m-2024-0201", []string{"m-2024-0201"}, "label"},
		{"label of bare number", classify.Message{Labels: []string{"Matters/2024-0201"}}, "file", "m-2024-0201", []string{"m-2024-0201"}, "label"},
		{"nested mapped label", classify.Message{Labels: []string{"Matters/Contracts/Delta supply"}}, "file", "c-2024-031", []string{"c-2024-031"}, "label"},
		{"number in subject", classify.Message{Subject: "Re: 2024-0117 – draft settlement", Labels: []string{"File to matter"}}, "file", "m-2024-0117", []string{"m-2024-0117"}, "subject-number"},
		{"contract number in subject", classify.Message{Subject: "redline c-2024-031 v3", Labels: []string{"File to matter"}}, "file", "c-2024-031", []string{"c-2024-031"}, "subject-number"},
		{"label and number agree", classify.Message{Subject: "2024-0117", Labels: []string{"Matters/2024-0117 Acme v. Beta"}}, "file", "m-2024-0117", []string{"m-2024-0117"}, "label"},
		{"label disagrees with number", classify.Message{Subject: "about 2024-0201", Labels: []string{"Matters/2024-0117 Acme v. Beta"}}, "review", "", []string{"m-2024-0117", "m-2024-0201"}, "conflict"},
		{"two numbers", classify.Message{Subject: "2024-0117 and 2024-0201", Labels: []string{"File to matter"}}, "review", "", []string{"m-2024-0117", "m-2024-0201"}, "conflict"},
		{"number inside a longer token", classify.Message{Subject: "ref 2024-01178 and X2024-0117", Labels: []string{"File to matter"}}, "review", "", nil, "no-match"},
		{"nothing", classify.Message{Subject: "lunch?", Labels: []string{"File to matter"}}, "review", "", nil, "no-match"},
		{"unmapped matter label", classify.Message{Labels: []string{"Matters/Unknown thing"}}, "review", "", nil, "unmapped-label"},
		{"closed matter", classify.Message{Subject: "2019-0003 archive", Labels: []string{"File to matter"}}, "review", "", []string{"m-2019-0003"}, "closed"},
		{"unparsed", classify.Message{Subject: "2024-0117", Labels: []string{"File to matter"}, Unparsed: true}, "review", "", []string{"m-2024-0117"}, "unparsed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := classify.NewIndex(reg, pol)
			require.NoError(t, err)
			d := classify.Decide(tc.msg, classify.Context{Index: ix})
			require.Equal(t, tc.outcome, d.Outcome)
			require.Equal(t, tc.target, d.Target)
			var cands []string
			for _, c := range d.Candidates {
				cands = append(cands, c.Target)
			}
			require.ElementsMatch(t, tc.candidates, cands)
			var rules []string
			for _, r := range d.Reasons {
				rules = append(rules, r.Rule)
				require.NotEmpty(t, r.Text)
			}
			require.Contains(t, rules, tc.rule)
			if d.Outcome == "file" {
				require.GreaterOrEqual(t, d.Confidence, pol.FileThreshold)
				require.NotEmpty(t, d.Client)
			}
		})
	}
}

func TestMergeRefusesAmbiguity(t *testing.T) {
	reg := registry(t)
	_, _, err := reg.Merge([]classify.Target{{ID: "m-x", Number: "2024-0117", Kind: "matter", Client: "acme"}})
	require.ErrorContains(t, err, "share a number")
	_, _, err = reg.Merge([]classify.Target{{ID: "m-y", Number: "9", Kind: "matter", Client: "acme", Labels: []string{"Matters/2024-0117 Acme v. Beta"}}})
	require.ErrorContains(t, err, "share a label")
	require.Len(t, reg.Targets, 4, "a refused merge changes nothing")

	added, updated, err := reg.Merge([]classify.Target{{ID: "m-2024-0201", Number: "2024-0201", Title: "Lease renewed", Kind: "matter", Client: "acme"}, {ID: "m-new", Number: "2025-0001", Kind: "contract", Client: "acme"}})
	require.NoError(t, err)
	require.Equal(t, 1, added)
	require.Equal(t, 1, updated)
}

func TestParseErrorsNameTheLine(t *testing.T) {
	_, err := classify.ParseCSV(strings.NewReader("id,number,kind,client\nm-1,1,matter,acme\nBAD ID,2,matter,acme\n"))
	require.ErrorContains(t, err, "csv line 3")
	_, err = classify.ParseCSV(strings.NewReader("id,number,kind\n"))
	require.ErrorContains(t, err, `"client" is missing`)
	_, err = classify.ParseCSV(strings.NewReader("id,number,kind,client,colour\n"))
	require.ErrorContains(t, err, "unknown column 5")
	_, err = classify.ParseJSON(strings.NewReader(`[{"id":"m-1","number":"1","kind":"case","client":"acme"}]`))
	require.ErrorContains(t, err, "kind must be")
	ts, err := classify.ParseJSON(strings.NewReader(`[{"id":"m-1","number":"1","kind":"Matter","client":"acme","labels":["Matters/1"]}]`))
	require.NoError(t, err)
	require.Equal(t, "matter", ts[0].Kind)
	require.Equal(t, "open", ts[0].Status)
}

func FuzzParseCSV(f *testing.F) {
	f.Add(registryCSV)
	f.Add("id,number,kind,client\n\"a,b\",1,matter,acme\n")
	f.Add(readSeed(f, "matters.csv"))
	f.Add("\ufeffID, Number ,KIND,client,status\n m-1 , 1 ,Matter, acme ,CLOSED\nm-2,2,contract,acme\n")
	f.Add("id,number,kind,client,id\nm-1,1,matter,acme,../x\n")
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := classify.ParseCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		checkParsed(t, ts)
	})
}

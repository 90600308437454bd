package admin

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
)

// upload posts a file as the import form does.
func (br *browser) upload(path, name, content string) response {
	br.b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(br.b.t, err)
	_, err = fw.Write([]byte(content))
	require.NoError(br.b.t, err)
	require.NoError(br.b.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, br.b.ts.URL+path, &body)
	require.NoError(br.b.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return br.do(req)
}

const (
	pagesParalegal = "pat@firm.example"
	pagesAdmin     = "ada@firm.example"
	pagesPartner   = "pia@firm.example"
)

// pagesRegistryCSV has an open matter and a matter the paralegal is walled off
// from.
const pagesRegistryCSV = `id,number,title,kind,client,client_name,participants,aliases,labels,walled
m-2024-0117,2024-0117,Acme v. Beta,matter,acme,"Acme Widgets, Inc.",counsel@beta.example,Beta Logistics,Matters/2024-0117,
m-2024-0200,2024-0200,Gamma merger,matter,gamma,Gamma AG,cfo@gamma.example,Project Blue,,` + pagesParalegal + `
`

func TestMattersImportEditAudit(t *testing.T) {
	b := setup(t)
	admin := b.addUser(pagesAdmin, catalog.RoleAdmin)
	br := b.signedIn(pagesAdmin)

	res := br.upload("/matters/import", "matters.csv", pagesRegistryCSV)
	require.Equal(t, http.StatusOK, res.code, res.body)
	assert.Contains(t, res.body, "2 added, 0 updated, 0 unchanged")
	res = br.get("/matters")
	require.Equal(t, http.StatusOK, res.code)
	assert.Contains(t, res.body, "Acme v. Beta")
	assert.Contains(t, res.body, "Gamma merger", "an admin sees walled matters")

	// An invalid file changes nothing.
	res = br.upload("/matters/import", "bad.csv", "id,number,title,kind,client\nBAD ID,1,x,matter,acme\n")
	assert.Equal(t, http.StatusUnprocessableEntity, res.code)
	assert.Contains(t, res.body, "Nothing was imported")

	// Edit: title, aliases, a wall; then close it.
	res = br.get("/matters/m-2024-0117")
	require.Equal(t, http.StatusOK, res.code)
	assert.Contains(t, res.body, `action="/matters/m-2024-0117"`)
	res = br.post("/matters/m-2024-0117", url.Values{
		"number": {"2024-0117"}, "title": {"Acme Widgets v. Beta Logistics"}, "client_name": {"Acme Widgets, Inc."},
		"participants": {"counsel@beta.example, clerk@court.example"}, "aliases": {"Beta Logistics\nAcme v Beta"},
		"labels": {"Matters/2024-0117"}, "walled": {"someone@firm.example\n" + pagesAdmin},
	})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "/matters/m-2024-0117?done=saved", res.hdr.Get("Location"))
	res = br.get("/matters/m-2024-0117?done=saved")
	assert.Contains(t, res.body, "Changes saved.")
	assert.Contains(t, res.body, "Acme Widgets v. Beta Logistics")

	reg, err := b.tenant.Matters(context.Background())
	require.NoError(t, err)
	tg, ok := reg.Get("m-2024-0117")
	require.True(t, ok)
	assert.Equal(t, "Acme Widgets v. Beta Logistics", tg.Title)
	assert.Equal(t, []string{"counsel@beta.example", "clerk@court.example"}, tg.Participants)
	assert.Equal(t, []string{"Beta Logistics", "Acme v Beta"}, tg.Aliases)
	assert.Equal(t, []string{"someone@firm.example", pagesAdmin}, tg.Walled)
	// Admins keep the registry: walled off, they still open and edit it.
	assert.Equal(t, http.StatusOK, br.get("/matters/m-2024-0117").code)

	// A JSON import, as the command line exports it, updates a target.
	res = br.upload("/matters/import", "matters.json", `{"targets": [{"id": "m-2024-0200", "number": "2024-0200", "title": "Gamma AG merger", "kind": "matter", "client": "gamma"}]}`)
	require.Equal(t, http.StatusOK, res.code, res.body)
	assert.Contains(t, res.body, "0 added, 1 updated, 0 unchanged")
	reg0, err := b.tenant.Matters(context.Background())
	require.NoError(t, err)
	g, _ := reg0.Get("m-2024-0200")
	assert.Equal(t, "Gamma AG merger", g.Title)

	// A number taken by another matter is refused and shown.
	res = br.post("/matters/m-2024-0117", url.Values{"number": {"2024-0200"}, "title": {"x"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.code)
	assert.Contains(t, res.body, "Not saved")

	res = br.post("/matters/m-2024-0117/status", url.Values{"status": {"closed"}})
	require.Equal(t, http.StatusSeeOther, res.code)
	reg, err = b.tenant.Matters(context.Background())
	require.NoError(t, err)
	tg, _ = reg.Get("m-2024-0117")
	assert.Equal(t, classify.StatusClosed, tg.Status)

	// Every change is audited with the admin as actor and the address.
	actor := "user:" + admin.ID
	for _, a := range []audit.Action{audit.ActionMatterCreate, audit.ActionMatterUpdate, audit.ActionMatterClose} {
		recs := b.records(a)
		require.NotEmpty(t, recs, a)
		assert.Equal(t, actor, recs[0].Actor)
		assert.Equal(t, "127.0.0.1", recs[0].SourceIP)
	}
	assert.Len(t, b.records(audit.ActionMatterCreate), 2)
	upd := b.records(audit.ActionMatterUpdate)
	require.Len(t, upd, 2) // the edit, then the JSON import
	assert.Equal(t, "m-2024-0117", upd[0].Objects["matter"])
	assert.Equal(t, "m-2024-0200", upd[1].Objects["matter"])

	// ... and the audit page shows it.
	res = br.get("/audit?action=matter.update")
	require.Equal(t, http.StatusOK, res.code)
	assert.Contains(t, res.body, "Records 1–2 that match")
	assert.Contains(t, res.body, "matter m-2024-0117")
	assert.Contains(t, res.body, pagesAdmin)
}

func TestMattersParalegalRefused(t *testing.T) {
	b := setup(t)
	b.addUser(pagesAdmin, catalog.RoleAdmin)
	pat := b.addUser(pagesParalegal, catalog.RoleParalegal)
	res := b.signedIn(pagesAdmin).upload("/matters/import", "m.csv", pagesRegistryCSV)
	require.Equal(t, http.StatusOK, res.code, res.body)

	br := b.signedIn(pagesParalegal)
	res = br.get("/matters")
	require.Equal(t, http.StatusOK, res.code)
	assert.Contains(t, res.body, "Acme v. Beta")
	assert.NotContains(t, res.body, "Gamma merger", "walled matters are not listed")
	assert.NotContains(t, res.body, "m-2024-0200")
	assert.NotContains(t, res.body, `action="/matters/import"`)

	// Readable, not editable.
	res = br.get("/matters/m-2024-0117")
	require.Equal(t, http.StatusOK, res.code)
	assert.Contains(t, res.body, "counsel@beta.example")
	assert.NotContains(t, res.body, `method="post" action="/matters/m-2024-0117"`)

	// The walled matter cannot be opened; the attempt is audited.
	res = br.get("/matters/m-2024-0200")
	assert.Equal(t, http.StatusForbidden, res.code)
	assert.NotContains(t, res.body, "Gamma merger")
	denied := b.records(audit.ActionAccessDenied)
	require.NotEmpty(t, denied)
	last := denied[len(denied)-1]
	assert.Equal(t, "user:"+pat.ID, last.Actor)
	assert.Equal(t, "m-2024-0200", last.Objects["matter"])
	assert.Equal(t, audit.Refused, last.Outcome)
	// Searching for it finds nothing either.
	res = br.get("/matters?q=gamma")
	assert.Contains(t, res.body, "Nothing matches")

	for _, c := range []struct{ method, path string }{
		{"GET", "/settings"}, {"POST", "/settings"}, {"POST", "/settings/webhook"},
		{"GET", "/audit"}, {"POST", "/audit/verify"},
		{"POST", "/matters/m-2024-0117"}, {"POST", "/matters/m-2024-0117/status"},
	} {
		var res response
		if c.method == "GET" {
			res = br.get(c.path)
		} else {
			res = br.post(c.path, url.Values{"number": {"9999-0000"}, "status": {"closed"}})
		}
		assert.Equal(t, http.StatusForbidden, res.code, c.method+" "+c.path)
	}
	res = br.upload("/matters/import", "m.csv", pagesRegistryCSV)
	assert.Equal(t, http.StatusForbidden, res.code)

	reg, err := b.tenant.Matters(context.Background())
	require.NoError(t, err)
	tg, _ := reg.Get("m-2024-0117")
	assert.Equal(t, "2024-0117", tg.Number)
	assert.Equal(t, classify.StatusOpen, tg.Status)
}

func TestMattersSearchAndPages(t *testing.T) {
	b := setup(t)
	b.addUser(pagesAdmin, catalog.RoleAdmin)
	var targets []classify.Target
	for i := range 250 {
		targets = append(targets, classify.Target{
			ID: fmt.Sprintf("m-%04d", i), Number: fmt.Sprintf("2025-%04d", i), Title: fmt.Sprintf("Matter %d", i),
			Kind: classify.KindMatter, Client: "client-" + fmt.Sprint(i%7),
		})
	}
	_, err := b.tenant.ImportTargets(context.Background(), targets, "cli:test")
	require.NoError(t, err)
	br := b.signedIn(pagesAdmin)

	res := br.get("/matters")
	assert.Contains(t, res.body, "250 matches · page 1 of 3")
	assert.Equal(t, mattersPerPage, strings.Count(res.body, `<a href="/matters/m-`))
	assert.Contains(t, res.body, `href="/matters?page=2"`)
	res = br.get("/matters?page=3")
	assert.Equal(t, 50, strings.Count(res.body, `<a href="/matters/m-`))
	assert.Contains(t, res.body, "m-0249")

	// By number, title and client.
	res = br.get("/matters?q=2025-0042")
	assert.Contains(t, res.body, "1 match")
	assert.Contains(t, res.body, "/matters/m-0042")
	res = br.get("/matters?q=" + url.QueryEscape("matter 249"))
	assert.Contains(t, res.body, "/matters/m-0249")
	res = br.get("/matters?q=client-3")
	assert.Contains(t, res.body, "36 matches")

	res = br.get("/matters/m-9999")
	assert.Equal(t, http.StatusNotFound, res.code)
	res = br.get("/matters/" + url.PathEscape("../x"))
	assert.Equal(t, http.StatusNotFound, res.code)
}

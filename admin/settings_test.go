package admin

import (
	"context"
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

func TestAuditFilterAndVerify(t *testing.T) {
	b := setup(t)
	b.addUser(pagesAdmin, catalog.RoleAdmin)
	pia := b.addUser(pagesPartner, catalog.RolePartner)
	br := b.signedIn(pagesPartner)

	res := br.get("/audit")
	require.Equal(t, http.StatusOK, res.code, res.body)
	assert.Contains(t, res.body, `<option value="audit.verify">`)
	// Newest first: the partner's sign-in before the accounts' creation.
	login := strings.Index(res.body, `"Action">login<`)
	create := strings.Index(res.body, `"Action">user.create<`)
	require.Positive(t, login)
	require.Positive(t, create)
	assert.Less(t, login, create)

	res = br.get("/audit?action=user.create")
	assert.Contains(t, res.body, "Records 1–2 that match")
	assert.NotContains(t, res.body, `"Action">login<`)
	res = br.get("/audit?actor=" + url.QueryEscape("user:"+pia.ID))
	assert.Contains(t, res.body, `"Action">login<`)
	assert.NotContains(t, res.body, `"Action">user.create<`)
	res = br.get("/audit?from=2000-01-01&to=2000-01-31")
	assert.Contains(t, res.body, "No records match.")
	assert.NotContains(t, res.body, `"Action">`)
	res = br.get("/audit?action=nonsense")
	assert.Contains(t, res.body, "Choose an action from the list.")

	res = br.post("/audit/verify", nil)
	require.Equal(t, http.StatusOK, res.code, res.body)
	assert.Contains(t, res.body, `id="verify-result"`)
	assert.Contains(t, res.body, "Intact.")
	recs := b.records(audit.ActionAuditVerify)
	require.Len(t, recs, 1)
	assert.Equal(t, "user:"+pia.ID, recs[0].Actor)
	assert.Equal(t, audit.OK, recs[0].Outcome)
	assert.Contains(t, recs[0].Detail, "intact")
}

func TestAuditPages(t *testing.T) {
	b := setup(t)
	b.addUser(pagesAdmin, catalog.RoleAdmin)
	ctx := context.Background()
	for range 150 {
		require.NoError(t, b.tenant.Record(ctx, "cli:test", audit.ActionExport, nil, audit.OK, "x"))
	}
	br := b.signedIn(pagesAdmin)
	res := br.get("/audit?action=export")
	assert.Contains(t, res.body, "Records 1–100 that match, newest first.")
	assert.Equal(t, auditPerPage, strings.Count(res.body, `"Action">export<`))
	assert.Contains(t, res.body, `href="/audit?action=export&amp;page=2"`)
	// Newest first: the sign-in is newer than every export.
	res = br.get("/audit")
	assert.Less(t, strings.Index(res.body, `"Action">login<`), strings.Index(res.body, `"Action">export<`))
	res = br.get("/audit?action=export&page=2")
	assert.Equal(t, 50, strings.Count(res.body, `"Action">export<`))
	assert.Contains(t, res.body, "Records 101–150 that match")
	assert.Contains(t, res.body, `rel="prev"`)
	assert.NotContains(t, res.body, `rel="next"`)
}

func TestSettingsPage(t *testing.T) {
	b := setup(t)
	admin := b.addUser(pagesAdmin, catalog.RoleAdmin)
	b.addUser(pagesPartner, catalog.RolePartner)
	ctx := context.Background()
	br := b.signedIn(pagesAdmin)

	res := br.get("/settings")
	require.Equal(t, http.StatusOK, res.code, res.body)
	assert.Contains(t, res.body, `In force: "File to matter"`)

	res = br.post("/settings", url.Values{"matter_label_prefix": {"Clients/"}, "filing_label": {"To file"}, "file_threshold": {"0.9"}, "review_threshold": {""}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	st, err := b.tenant.Settings(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Clients/", st.MatterLabelPrefix)
	assert.Equal(t, "To file", st.FilingLabel)
	require.NotNil(t, st.FileThreshold)
	assert.InDelta(t, 0.9, *st.FileThreshold, 1e-9)
	assert.Nil(t, st.ReviewThreshold)
	res = br.get("/settings?done=settings")
	assert.Contains(t, res.body, "Settings saved.")
	assert.Contains(t, res.body, `value="Clients/"`)

	// Refused: not a number, out of range; nothing changes.
	res = br.post("/settings", url.Values{"file_threshold": {"lots"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.code)
	assert.Contains(t, res.body, "must be a number")
	assert.Contains(t, res.body, `value="lots"`)
	res = br.post("/settings", url.Values{"file_threshold": {"0.2"}, "review_threshold": {"0.5"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.code)
	assert.Contains(t, res.body, "Not saved")
	st, err = b.tenant.Settings(ctx)
	require.NoError(t, err)
	assert.InDelta(t, 0.9, *st.FileThreshold, 1e-9)

	// The webhook: the secret is never shown back.
	secret := strings.Repeat("s3cr3t-", 6)
	res = br.post("/settings/webhook", url.Values{"webhook_url": {"https://hooks.firm.example/matterfile"}, "webhook_secret": {"short"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.code)
	res = br.post("/settings/webhook", url.Values{"webhook_url": {"http://hooks.firm.example/x"}, "webhook_secret": {secret}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.code)
	assert.Contains(t, res.body, "must be https")
	res = br.post("/settings/webhook", url.Values{"webhook_url": {"https://hooks.firm.example/matterfile"}, "webhook_secret": {secret}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	res = br.get("/settings")
	assert.Contains(t, res.body, "Secret: set.")
	assert.Contains(t, res.body, "https://hooks.firm.example/matterfile")
	assert.NotContains(t, res.body, secret)
	// An empty secret keeps it.
	res = br.post("/settings/webhook", url.Values{"webhook_url": {"https://hooks2.firm.example/matterfile"}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	wh, err := b.tenant.Webhook(ctx)
	require.NoError(t, err)
	assert.Equal(t, "https://hooks2.firm.example/matterfile", wh.URL)
	assert.Equal(t, secret, string(wh.Secret))

	res = br.post("/settings/webhook/clear", nil)
	require.Equal(t, http.StatusSeeOther, res.code)
	_, err = b.tenant.Webhook(ctx)
	assert.ErrorIs(t, err, catalog.ErrNoWebhook)

	recs := b.records(audit.ActionSettingsUpdate)
	require.Len(t, recs, 4) // settings, webhook set, webhook URL, cleared
	for _, r := range recs {
		assert.Equal(t, "user:"+admin.ID, r.Actor)
		assert.NotContains(t, r.Detail, secret)
	}

	// A partner reads the audit, not the settings.
	pb := b.signedIn(pagesPartner)
	assert.Equal(t, http.StatusForbidden, pb.get("/settings").code)
	assert.Equal(t, http.StatusOK, pb.get("/audit").code)
}

// A firm that names no labels of its own files under the deployment's
// (MATTERFILE_FILING_LABEL), and the page says so.
func TestSettingsShowDeploymentPolicy(t *testing.T) {
	b := setup(t)
	pol := classify.DefaultPolicy()
	pol.FilingLabel = "Zur Akte"
	b.srv.cfg.Policy = &pol
	b.addUser(pagesAdmin, catalog.RoleAdmin)
	res := b.signedIn(pagesAdmin).get("/settings")
	require.Equal(t, http.StatusOK, res.code, res.body)
	assert.Contains(t, res.body, `In force: "Zur Akte"`)
}

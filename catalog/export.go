package catalog

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/mod/sumdb/note"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/export"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// ErrNothingToExport is wrapped when a matter or address has no message.
var ErrNothingToExport = errors.New("no message to export")

func exportSignerName(tenant string) string { return "matterfile-export/" + tenant }

type exportKey struct {
	SKey string `json:"skey"`
	VKey string `json:"vkey"`
}

// exportSigner returns the tenant's export signing key, making it on first
// use (create-only: of two processes, one key wins), and publishes its
// verifier key outside the tenant.
func (t *Tenant) exportSigner(ctx context.Context) (note.Signer, string, error) {
	key, err := storage.ExportSigningKey(t.ID)
	if err != nil {
		return nil, "", err
	}
	p := sealed.Place{Key: key, Kind: sealed.KindSecret}
	var k exportKey
	err = t.getJSON(ctx, p, &k)
	if errors.Is(err, storage.ErrNotFound) {
		var nk exportKey
		if nk.SKey, nk.VKey, err = note.GenerateKey(rand.Reader, exportSignerName(t.ID)); err != nil {
			return nil, "", fmt.Errorf("tenant %s export key: %w", t.ID, err)
		}
		if err := t.putJSON(ctx, p, nk, storage.PutOptions{CreateOnly: true}); err != nil && !errors.Is(err, storage.ErrExists) {
			return nil, "", fmt.Errorf("tenant %s export key: %w", t.ID, err)
		}
		err = t.getJSON(ctx, p, &k)
	}
	if err != nil {
		return nil, "", fmt.Errorf("tenant %s export key: %w", t.ID, err)
	}
	signer, err := note.NewSigner(k.SKey)
	if err != nil || signer.Name() != exportSignerName(t.ID) {
		return nil, "", fmt.Errorf("tenant %s export key is malformed: %w", t.ID, sealed.ErrIntegrity)
	}
	vk, err := storage.ExportVerifierKey(t.ID)
	if err != nil {
		return nil, "", err
	}
	err = t.bs.Put(ctx, vk, strings.NewReader(k.VKey), storage.PutOptions{CreateOnly: true})
	if errors.Is(err, storage.ErrExists) {
		got, gerr := ExportVerifier(ctx, t.bs, t.ID)
		if gerr != nil {
			return nil, "", gerr
		}
		if got != k.VKey {
			// Published by an earlier tenant of the same ID, or planted:
			// exports signed now would not verify against it.
			return nil, "", fmt.Errorf("tenant %s: %s holds another key: %w", t.ID, vk, sealed.ErrIntegrity)
		}
	} else if err != nil {
		return nil, "", fmt.Errorf("tenant %s export verifier key: %w", t.ID, err)
	}
	return signer, k.VKey, nil
}

// ExportVerifier returns the published verifier key of tenant's exports.
func ExportVerifier(ctx context.Context, bs storage.BlobStore, tenant string) (string, error) {
	key, err := storage.ExportVerifierKey(tenant)
	if err != nil {
		return "", err
	}
	rc, err := bs.Get(ctx, key)
	if err != nil {
		return "", fmt.Errorf("tenant %s export verifier key: %w", tenant, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 4096))
	if err != nil {
		return "", err
	}
	return string(data), nil
}

// ExportRow is one message in an export's index.
type ExportRow struct {
	ID         string    `json:"id"`
	File       string    `json:"file"`
	Date       time.Time `json:"date,omitzero"`
	From       string    `json:"from"`
	To         []string  `json:"to"`
	Subject    string    `json:"subject"`
	Matter     string    `json:"matter,omitempty"`
	GmailIDs   []string  `json:"gmail_ids,omitempty"`
	Custodians []string  `json:"custodians"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
}

// ExportSummary says what an export wrote.
type ExportSummary struct {
	Messages    int
	Attachments int
	Bytes       int64
	VerifierKey string
}

// ExportMatter writes every message filed to matter as a signed archive to
// w: each .eml with the exact bytes ingested, each attachment decoded, an
// index (CSV and JSON) and the signed manifest. Everything streams; nothing
// is written for a matter without messages. It is audited.
func (t *Tenant) ExportMatter(ctx context.Context, w io.Writer, matter, by string, progress func(done, total int)) (ExportSummary, error) {
	entries, err := t.Messages(ctx)
	if err != nil {
		return ExportSummary{}, err
	}
	var picked []IndexEntry
	for _, e := range entries {
		if e.State == StateFiled && e.Matter == matter {
			picked = append(picked, e)
		}
	}
	objs := map[string]string{"matter": matter}
	return t.export(ctx, w, picked, nil, "tenant "+t.ID+" matter "+matter, by, audit.ActionExport, objs, progress)
}

// ExportAddress writes every stored message from, to or copied to address
// (a data subject's access request, GDPR Art. 15) as a signed archive. The
// address is compared case-insensitively and never written to the audit
// log; the matching is done on the sealed manifests.
func (t *Tenant) ExportAddress(ctx context.Context, w io.Writer, address, by string, progress func(done, total int)) (ExportSummary, error) {
	address = NormalizeAddress(address)
	if !strings.Contains(address, "@") {
		return ExportSummary{}, errors.New("export: the address needs an @")
	}
	entries, err := t.Messages(ctx)
	if err != nil {
		return ExportSummary{}, err
	}
	var picked []IndexEntry
	var manifests []*Manifest
	for _, e := range entries {
		m, err := t.Manifest(ctx, e)
		if err != nil {
			return ExportSummary{}, err
		}
		if mentions(m, address) {
			picked = append(picked, e)
			manifests = append(manifests, m)
		}
	}
	objs := map[string]string{"messages": strconv.Itoa(len(picked))}
	return t.export(ctx, w, picked, manifests, "tenant "+t.ID+" subject access", by, audit.ActionSubjectAccessExport, objs, progress)
}

func mentions(m *Manifest, address string) bool {
	for _, list := range [][]ingest.Address{m.Message.From, m.Message.Sender, m.Message.ReplyTo, m.Message.To, m.Message.Cc, m.Message.Bcc} {
		for _, a := range list {
			if NormalizeAddress(a.Addr) == address {
				return true
			}
		}
	}
	return false
}

func (t *Tenant) export(ctx context.Context, w io.Writer, picked []IndexEntry, manifests []*Manifest, title, by string,
	action audit.Action, objs map[string]string, progress func(done, total int)) (ExportSummary, error) {
	if err := t.auditable(by, action, objs, ""); err != nil {
		return ExportSummary{}, err
	}
	if len(picked) == 0 {
		return ExportSummary{}, fmt.Errorf("tenant %s: %w", t.ID, ErrNothingToExport)
	}
	signer, vkey, err := t.exportSigner(ctx)
	if err != nil {
		return ExportSummary{}, err
	}
	zw, err := export.NewWriter(w, signer, title, time.Now())
	if err != nil {
		return ExportSummary{}, err
	}
	sum := ExportSummary{VerifierKey: vkey}
	rows := make([]ExportRow, 0, len(picked))
	for i, e := range picked {
		var m *Manifest
		if manifests != nil {
			m = manifests[i]
		} else if m, err = t.Manifest(ctx, e); err != nil {
			return sum, err
		}
		row, n, err := t.exportMessage(ctx, zw, e, m)
		if err != nil {
			return sum, err
		}
		rows = append(rows, row)
		sum.Messages++
		sum.Attachments += n
		sum.Bytes += row.Size
		if progress != nil {
			progress(i+1, len(picked))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Date.Before(rows[j].Date) })
	if err := addIndex(zw, rows); err != nil {
		return sum, err
	}
	if err := zw.Close(); err != nil {
		return sum, err
	}
	detail := fmt.Sprintf("%d messages, %d attachments, %d bytes of messages", sum.Messages, sum.Attachments, sum.Bytes)
	return sum, t.audit(ctx, by, action, objs, audit.OK, detail)
}

// exportMessage adds a message's raw bytes and attachments. The archive's
// own hash is checked against the SHA-256 recorded at filing: what is
// handed over is what was ingested.
func (t *Tenant) exportMessage(ctx context.Context, zw *export.Writer, e IndexEntry, m *Manifest) (ExportRow, int, error) {
	stamp := "undated"
	if !m.Message.Date.IsZero() {
		stamp = m.Message.Date.UTC().Format("20060102-150405")
	}
	row := ExportRow{ID: e.Message, File: "messages/" + stamp + "_" + e.Message + ".eml", Date: m.Message.Date,
		Subject: m.Message.Subject, Matter: e.Matter, SHA256: m.RawSHA256, To: []string{}, Custodians: []string{}}
	if len(m.Message.From) > 0 {
		row.From = m.Message.From[0].Addr
	}
	for _, a := range m.Message.To {
		row.To = append(row.To, a.Addr)
	}
	cs, err := t.Custodians(ctx, e, m)
	if err != nil {
		return row, 0, err
	}
	for _, c := range cs {
		row.Custodians = append(row.Custodians, c.Address)
		if c.GmailID != "" {
			row.GmailIDs = append(row.GmailIDs, c.GmailID)
		}
	}
	rc, err := t.OpenPart(ctx, e, PartRaw)
	if err != nil {
		return row, 0, err
	}
	got, n, err := zw.Add(row.File, rc)
	rc.Close()
	if err != nil {
		return row, 0, fmt.Errorf("export message %s: %w", e.Message, err)
	}
	if got != m.RawSHA256 || n != m.RawSize {
		return row, 0, fmt.Errorf("export message %s: raw bytes differ from those filed: %w", e.Message, sealed.ErrIntegrity)
	}
	row.Size = n
	atts := 0
	for _, p := range m.Message.Parts {
		if p.Kind != ingest.KindAttachment {
			continue
		}
		rc, err := t.OpenPart(ctx, e, strconv.Itoa(p.Index))
		if err != nil {
			return row, atts, err
		}
		_, _, err = zw.Add(fmt.Sprintf("attachments/%s/%d_%s", e.Message, p.Index, safeFilename(p.Filename)), rc)
		rc.Close()
		if err != nil {
			return row, atts, fmt.Errorf("export message %s part %d: %w", e.Message, p.Index, err)
		}
		atts++
	}
	return row, atts, nil
}

// safeFilename keeps a file name readable but harmless in any unpacker:
// letters, digits, and . _ - and space; no leading dot; at most 100 bytes.
func safeFilename(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '.', r == '_', r == '-', r == ' ':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 100 {
			break
		}
	}
	s := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if s == "" {
		return "part"
	}
	return s
}

func addIndex(zw *export.Writer, rows []ExportRow) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"date", "from", "to", "subject", "matter", "gmail_ids", "custodians", "sha256", "size", "file"})
	for _, r := range rows {
		date := ""
		if !r.Date.IsZero() {
			date = r.Date.UTC().Format(time.RFC3339)
		}
		cw.Write([]string{date, r.From, strings.Join(r.To, ";"), r.Subject, r.Matter, strings.Join(r.GmailIDs, ";"),
			strings.Join(r.Custodians, ";"), r.SHA256, strconv.FormatInt(r.Size, 10), r.File})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if _, _, err := zw.Add("index.csv", &buf); err != nil {
		return err
	}
	data, err := json.MarshalIndent(map[string]any{"messages": rows}, "", "  ")
	if err != nil {
		return err
	}
	_, _, err = zw.Add("index.json", bytes.NewReader(data))
	return err
}

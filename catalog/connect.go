package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/storage"
)

// ConnectMailbox seals sec as the credentials of mailbox addr (recorded on
// first use), marks it active and, if check is not nil, tries the
// credentials with it (the caller calls Gmail's getProfile and compares the
// account). A failed check puts back the credentials and state that were
// there, so a failed reconnect does not break a running mailbox, and a new
// mailbox is left "reconnect required". It is audited as mailbox.connect,
// or mailbox.reconnect when credentials existed, ok or failed, with the
// source IP ctx carries (WithSourceIP). The check's error is returned as
// it is: it may carry provider text, so callers show their own words.
func (t *Tenant) ConnectMailbox(ctx context.Context, actor, addr string, sec Secret, writeBack bool, check func(context.Context, Mailbox) error) (Mailbox, error) {
	mb, err := t.EnsureMailbox(ctx, addr)
	if err != nil {
		return Mailbox{}, err
	}
	st, err := t.GmailState(ctx, mb.ID)
	hadState := err == nil
	if err != nil && !errors.Is(err, ErrNoGmail) {
		return mb, err
	}
	prevState := st
	prev, hadSecret := Secret{}, false
	if s, err := t.Secret(ctx, mb.ID); err == nil {
		prev, hadSecret = s, true
	} else if !errors.Is(err, storage.ErrNotFound) {
		return mb, err
	}
	// Credentials replacing working ones, or those of a mailbox an admin
	// disconnected, are a reconnect.
	action := audit.ActionMailboxConnect
	if hadSecret || (hadState && st.Status == StatusDisconnected) {
		action = audit.ActionMailboxReconnect
	}
	if err := t.SaveSecret(ctx, mb.ID, sec); err != nil {
		return mb, err
	}
	st.Auth, st.WriteBack, st.Status, st.LastError, st.PausedUntil = sec.Kind, writeBack, StatusActive, "", time.Time{}
	if err := t.SaveGmailState(ctx, mb.ID, st); err != nil {
		return mb, err
	}
	if check != nil {
		if err := check(ctx, mb); err != nil {
			if hadSecret {
				_ = t.SaveSecret(ctx, mb.ID, prev)
			} else {
				_ = t.DeleteSecret(ctx, mb.ID)
			}
			if !hadState {
				prevState.Auth, prevState.Status, prevState.LastError = sec.Kind, StatusReconnect, "credentials check failed"
			}
			_ = t.SaveGmailState(ctx, mb.ID, prevState)
			aerr := t.audit(ctx, actor, action, map[string]string{"mailbox": mb.ID}, audit.Failed, "credentials check failed")
			return mb, errors.Join(fmt.Errorf("check credentials of mailbox %s: %w", mb.ID, err), aerr)
		}
	}
	return mb, t.audit(ctx, actor, action, map[string]string{"mailbox": mb.ID}, audit.OK,
		fmt.Sprintf("auth %s, label write-back %t, checked %t", sec.Kind, writeBack, check != nil))
}

// PausedByAdmin is the PausedUntil of a mailbox an admin paused: it stays
// paused until resumed.
var PausedByAdmin = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// ErrMailboxReconnect refuses to pause a mailbox that needs reconnecting.
var ErrMailboxReconnect = errors.New("mailbox needs reconnecting")

// SetMailboxPaused pauses a connected mailbox until an admin resumes it,
// or resumes it, audited as mailbox.pause or mailbox.resume. Resuming a
// mailbox that needs reconnecting leaves it so.
func (t *Tenant) SetMailboxPaused(ctx context.Context, actor, mb string, paused bool) error {
	st, err := t.GmailState(ctx, mb)
	if err != nil {
		return err
	}
	action := audit.ActionMailboxResume
	if paused {
		action = audit.ActionMailboxPause
		if !st.Connected() {
			return fmt.Errorf("mailbox %s: %w", mb, ErrMailboxReconnect)
		}
		st.Status, st.PausedUntil = StatusPaused, PausedByAdmin
	} else if st.Status == StatusPaused {
		st.Status, st.PausedUntil = StatusActive, time.Time{}
	}
	if err := t.SaveGmailState(ctx, mb, st); err != nil {
		return err
	}
	return t.audit(ctx, actor, action, map[string]string{"mailbox": mb}, audit.OK, "")
}

// DisconnectMailbox deletes mailbox mb's credentials and marks it
// disconnected, audited as mailbox.disconnect by actor by. Nothing syncs,
// fetches or writes labels for it any more; everything it filed stays, and
// so do its pending records and sync cursor, so connecting it again
// (ConnectMailbox, audited as a reconnect) carries on where it stopped.
// The state is saved first: if deleting the credentials fails, the
// mailbox is already out of use and disconnecting again finishes it.
func (t *Tenant) DisconnectMailbox(ctx context.Context, mb, by string) error {
	if err := CheckActor(by); err != nil {
		return err
	}
	st, err := t.GmailState(ctx, mb)
	if err != nil {
		return err
	}
	objects := map[string]string{"mailbox": mb}
	prev := st.Status
	st.Status, st.LastError, st.PausedUntil = StatusDisconnected, "", time.Time{}
	err = t.SaveGmailState(ctx, mb, st)
	if err == nil {
		err = t.DeleteSecret(ctx, mb)
	}
	if err != nil {
		return errors.Join(err, t.audit(ctx, by, audit.ActionMailboxDisconnect, objects, audit.Failed, "was "+prev))
	}
	return t.audit(ctx, by, audit.ActionMailboxDisconnect, objects, audit.OK, "was "+prev)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/matterfile/matterfile/admin"
	"github.com/matterfile/matterfile/catalog"
)

func newUsersCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Manage the accounts that sign in to the admin web",
		Long: `Accounts of the firm's people for the admin web ('matterfile serve'), one set
per firm. Roles: admin (mailboxes, matters, settings, users), partner, attorney
and paralegal (the review items of their own mailboxes, the matters they are
not walled off from).

Passwords are stored as argon2id hashes. A password comes from --password-file
(the file's first line), or is asked for twice on a terminal; otherwise a
one-time password is printed, which the user replaces at first sign-in.
Three failed sign-ins lock an account for MATTERFILE_LOGIN_LOCKOUT (15m) or
until 'users unlock'. Every change is audited with you as the actor.`,
	}

	var addTenant, email, name, roleName, pwFile string
	var mailboxes []string
	add := &cobra.Command{Use: "add --tenant T --email E --role ROLE [--name N] [--password-file F] [--mailbox ADDR]...", Short: "Create an account", Args: cobra.NoArgs}
	add.Flags().StringVar(&addTenant, "tenant", "", "tenant ID (required)")
	add.Flags().StringVar(&email, "email", "", "the user's email address (required)")
	add.Flags().StringVar(&roleName, "role", "", "admin, partner, attorney or paralegal (required)")
	add.Flags().StringVar(&name, "name", "", "the user's name, as shown in the pages")
	add.Flags().StringVar(&pwFile, "password-file", "", "file whose first line is the password")
	add.Flags().StringArrayVar(&mailboxes, "mailbox", nil, "address of a mailbox whose review items the user sees (repeatable)")
	for _, f := range []string{"tenant", "email", "role"} {
		must(add.MarkFlagRequired(f))
	}
	add.RunE = g.withTenant(&addTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		role, err := catalog.ParseRole(roleName)
		if err != nil {
			return fmt.Errorf("--role: %w", err)
		}
		if err := catalog.ValidateUserEmail(catalog.NormalizeAddress(email)); err != nil {
			return fmt.Errorf("--email: %w", err)
		}
		var mbs []string
		for _, addr := range mailboxes {
			mb, err := t.MailboxByAddress(ctx, addr)
			if err != nil {
				return fmt.Errorf("--mailbox: no mailbox of %s has this address (connect or import it first)", t.ID)
			}
			mbs = append(mbs, mb.ID)
		}
		pw, oneTime, err := g.newPassword(pwFile)
		if err != nil {
			return err
		}
		hash, err := admin.HashPassword(pw)
		if err != nil {
			return err
		}
		u, err := t.CreateUser(ctx, catalog.User{Email: email, Name: name, Role: role, PasswordHash: hash, MustChangePassword: oneTime, Mailboxes: mbs}, actor())
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "user %s (%s, %s) created in %s\n", u.ID, u.Email, u.Role, t.ID)
		if oneTime {
			fmt.Fprintf(g.stdout, "one-time password: %s\n", pw)
		}
		return nil
	})

	var pwTenant, resetFile string
	passwd := &cobra.Command{
		Use:   "password --tenant T EMAIL [--password-file F]",
		Short: "Set an account's password (and end its sessions)",
		Args:  cobra.ExactArgs(1),
	}
	passwd.Flags().StringVar(&pwTenant, "tenant", "", "tenant ID (required)")
	passwd.Flags().StringVar(&resetFile, "password-file", "", "file whose first line is the password")
	must(passwd.MarkFlagRequired("tenant"))
	passwd.RunE = g.withTenant(&pwTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, args []string) error {
		u, err := t.UserByEmail(ctx, args[0])
		if err != nil {
			return err
		}
		pw, oneTime, err := g.newPassword(resetFile)
		if err != nil {
			return err
		}
		hash, err := admin.HashPassword(pw)
		if err != nil {
			return err
		}
		if _, err := t.UpdateUser(ctx, u.ID, actor(), func(x *catalog.User) error {
			x.PasswordHash, x.MustChangePassword = hash, oneTime
			return nil
		}); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "password of %s (%s) set; its sessions have ended\n", u.ID, u.Email)
		if oneTime {
			fmt.Fprintf(g.stdout, "one-time password: %s\n", pw)
		}
		return nil
	})

	var listTenant string
	var listJSON bool
	list := &cobra.Command{Use: "list --tenant T [--json]", Short: "List the accounts", Args: cobra.NoArgs}
	list.Flags().StringVar(&listTenant, "tenant", "", "tenant ID (required)")
	list.Flags().BoolVar(&listJSON, "json", false, "print JSON")
	must(list.MarkFlagRequired("tenant"))
	list.RunE = g.withTenant(&listTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		users, err := t.Users(ctx)
		if err != nil {
			return err
		}
		type view struct {
			ID          string    `json:"id"`
			Email       string    `json:"email"`
			Name        string    `json:"name,omitempty"`
			Role        string    `json:"role"`
			Status      string    `json:"status"`
			LockedUntil time.Time `json:"locked_until,omitzero"`
			Failed      int       `json:"failed"`
			Mailboxes   int       `json:"mailboxes"`
			LastSignIn  time.Time `json:"last_sign_in,omitzero"`
		}
		now := time.Now()
		views := make([]view, 0, len(users))
		for _, u := range users {
			st := "active"
			switch {
			case u.Disabled:
				st = "disabled"
			case u.Locked(now):
				st = "locked"
			case u.MustChangePassword:
				st = "one-time password"
			}
			views = append(views, view{u.ID, u.Email, u.Name, string(u.Role), st, u.LockedUntil, u.Failed, len(u.Mailboxes), u.LastSignIn})
		}
		if listJSON {
			return writeJSON(g, map[string]any{"users": views})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tEMAIL\tNAME\tROLE\tSTATUS\tFAILED\tLAST SIGN-IN")
		for _, v := range views {
			last := "never"
			if !v.LastSignIn.IsZero() {
				last = v.LastSignIn.UTC().Format("2006-01-02 15:04Z")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", v.ID, v.Email, v.Name, v.Role, v.Status, v.Failed, last)
		}
		return w.Flush()
	})

	var unlockTenant string
	unlock := &cobra.Command{Use: "unlock --tenant T EMAIL", Short: "End an account's lockout after failed sign-ins", Args: cobra.ExactArgs(1)}
	unlock.Flags().StringVar(&unlockTenant, "tenant", "", "tenant ID (required)")
	must(unlock.MarkFlagRequired("tenant"))
	unlock.RunE = g.withTenant(&unlockTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, args []string) error {
		u, err := t.UserByEmail(ctx, args[0])
		if err != nil {
			return err
		}
		was := u.Locked(time.Now()) || u.Failed > 0
		if _, err := t.UnlockUser(ctx, u.ID, actor()); err != nil {
			return err
		}
		if !was {
			fmt.Fprintf(g.stdout, "%s (%s) was not locked\n", u.ID, u.Email)
			return nil
		}
		fmt.Fprintf(g.stdout, "%s (%s) unlocked\n", u.ID, u.Email)
		return nil
	})

	cmd.AddCommand(add, list, unlock, passwd)
	return cmd
}

// newPassword reads the password from file, or asks for it twice on a
// terminal; with neither it makes a one-time password (oneTime).
func (g *globals) newPassword(file string) (pw string, oneTime bool, err error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", false, fmt.Errorf("--password-file: %w", err)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, 4096))
		if err != nil {
			return "", false, fmt.Errorf("--password-file: %w", err)
		}
		pw, _, _ = strings.Cut(string(data), "\n")
		pw = strings.TrimSuffix(pw, "\r")
		if err := admin.CheckNewPassword(pw); err != nil {
			return "", false, fmt.Errorf("--password-file: %w", err)
		}
		return pw, false, nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return admin.NewOneTimePassword(), true, nil
	}
	read := func(prompt string) (string, error) {
		fmt.Fprint(g.stderr, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(g.stderr)
		return string(b), err
	}
	first, err := read(fmt.Sprintf("Password (at least %d characters, empty for a one-time password): ", admin.MinPasswordLen))
	if err != nil {
		return "", false, err
	}
	if first == "" {
		return admin.NewOneTimePassword(), true, nil
	}
	if err := admin.CheckNewPassword(first); err != nil {
		return "", false, err
	}
	again, err := read("Again: ")
	if err != nil {
		return "", false, err
	}
	if again != first {
		return "", false, errors.New("the passwords differ")
	}
	return first, false, nil
}

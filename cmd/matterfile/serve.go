package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/hibiken/asynqmon"
	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
	"google.golang.org/api/idtoken"

	"github.com/matterfile/matterfile/admin"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/internal/adminauth"
	"github.com/matterfile/matterfile/internal/googlesignin"
	"github.com/matterfile/matterfile/push"
	"github.com/matterfile/matterfile/worker"
)

func newServeCmd(g *globals) *cobra.Command {
	var listen string
	var insecureCookies bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the admin web and the Gmail push endpoint (and, without Redis, the worker)",
		Long: `Serve HTTP on MATTERFILE_LISTEN (or --listen):

  /                           the admin web: sign-in (accounts from
                              'matterfile users'), overview, users, and for
                              admins the queue monitor at /jobs/
  POST /gmail/push/<tenant>   Pub/Sub push of Gmail notifications,
                              authenticated by the subscription's OIDC
                              token (MATTERFILE_PUSH_AUDIENCE and
                              MATTERFILE_PUSH_SERVICE_ACCOUNT) or by
                              ?token=<MATTERFILE_PUSH_SECRET> in its endpoint
  GET  /healthz               200 while the process serves
  GET  /readyz                200 when Redis and the object store answer
                              within 2 s; 503 naming the one that does not
  GET  /metrics               Prometheus metrics (IDs and fixed words only)
  /admin/queues/              the queue monitor (asynqmon), behind the
                              token in MATTERFILE_ADMIN_TOKEN_FILE (HTTP
                              Basic, any user name, the token as password);
                              read-only unless MATTERFILE_ADMIN_QUEUES_WRITE
                              is true; not served without the token file

With MATTERFILE_OPS_LISTEN set, /metrics and /readyz are served on that
address instead (and /healthz on both), so that a public listener does not
show them.

The admin web's session cookie is Secure (__Host- prefixed): serve it behind
TLS (a load balancer or proxy terminating HTTPS). For plain http on this
machine only, --insecure-cookies drops Secure; it is refused unless --listen
is a loopback address. Sign-ins and admin actions are audited with the
connecting address, which behind a proxy is the proxy's.

A push only queues a sync of the mailbox; it is acknowledged at once. With
no MATTERFILE_REDIS_URL this process also runs the worker and the poll, since
nothing else can reach its in-process queue.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (default MATTERFILE_LISTEN)")
	cmd.Flags().BoolVar(&insecureCookies, "insecure-cookies", false, "session cookie without Secure, for plain http on a loopback --listen only")
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		gc := a.cfg.Google
		if gc.PushSecret == "" && gc.PushAudience == "" {
			return errors.New("MATTERFILE_PUSH_SECRET: serve needs it, or MATTERFILE_PUSH_AUDIENCE and MATTERFILE_PUSH_SERVICE_ACCOUNT, to authenticate pushes")
		}
		pcfg := push.Config{Secret: gc.PushSecret, Catalog: a.cat, Logger: a.log}
		if gc.PushAudience != "" {
			v, err := idtoken.NewValidator(ctx)
			if err != nil {
				return fmt.Errorf("push token validator: %w", err)
			}
			pcfg.Audience, pcfg.ServiceAccount, pcfg.Validator = gc.PushAudience, gc.PushServiceAccount, v
		}
		if listen == "" {
			listen = a.cfg.Listen
		}
		if insecureCookies && !loopbackAddr(listen) {
			return errors.New("--insecure-cookies: only with a loopback --listen (127.0.0.1, ::1, localhost); behind TLS the cookie stays Secure")
		}
		q, err := a.openQueue()
		if err != nil {
			return err
		}
		pcfg.Enqueuer = q.Client
		ph, err := push.New(pcfg)
		if err != nil {
			return err
		}
		mux, ops, err := a.serveHandler(q, ph, webOptions{InsecureCookies: insecureCookies})
		if err != nil {
			return err
		}
		if q.Embedded() {
			stop, err := a.startWorker(ctx, q)
			if err != nil {
				return err
			}
			defer stop()
			poller, err := a.poller(q)
			if err != nil {
				return err
			}
			go poller.Run(ctx)
		}
		return a.listenAndServe(ctx, "matterfile serve", listen, mux, ops)
	})
	return cmd
}

// listenAndServe serves mux on listen, and ops (if any) on
// MATTERFILE_OPS_LISTEN, until ctx ends.
func (a *app) listenAndServe(ctx context.Context, name, listen string, mux http.Handler, ops *http.ServeMux) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("MATTERFILE_LISTEN: %w", err)
	}
	fmt.Fprintf(a.g.stderr, "%s: listening on http://%s\n", name, ln.Addr())
	if ops != nil {
		opsLn, err := net.Listen("tcp", a.cfg.OpsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("MATTERFILE_OPS_LISTEN: %w", err)
		}
		fmt.Fprintf(a.g.stderr, "%s: /metrics and /readyz on http://%s\n", name, opsLn.Addr())
		go serveOps(ctx, opsLn, ops)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// loopbackAddr reports whether host:port names this machine's loopback.
func loopbackAddr(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// webOptions are how this process serves the admin web.
type webOptions struct {
	// InsecureCookies: plain http on loopback (see admin.Config).
	InsecureCookies bool
	// DefaultTenant fills the sign-in form (the demo's firm).
	DefaultTenant string
}

// serveHandler routes serve's endpoints. main has the admin web at /, the
// push endpoint ph (none if nil), /healthz, the token-guarded queue
// monitor (see adminRoutes) and, unless MATTERFILE_OPS_LISTEN is set,
// /metrics and /readyz; ops has those two and /healthz when it is set,
// and is nil otherwise. A wrong admin token file fails here, before serve
// listens.
func (a *app) serveHandler(q *worker.Queue, ph http.Handler, web webOptions) (main, ops *http.ServeMux, err error) {
	main = http.NewServeMux()
	if ph != nil {
		main.Handle("/gmail/push/", ph)
	}
	if err := a.adminRoutes(main, q); err != nil {
		return nil, nil, err
	}
	app, err := a.adminWeb(q, web)
	if err != nil {
		return nil, nil, err
	}
	main.Handle("/", app)
	if a.cfg.OpsListen == "" {
		return a.opsHandler(q, main), nil, nil
	}
	main.HandleFunc("GET /healthz", healthz)
	return main, a.opsHandler(q, nil), nil
}

// adminQueuesPath is where the token-guarded queue monitor is mounted;
// signed-in admins have it at /jobs/ in the admin web.
const adminQueuesPath = "/admin/queues"

// jobsRootPath is where the admin web mounts the queue monitor.
const jobsRootPath = "/jobs"

// adminWeb builds the admin web on this process's catalog, with the queue
// monitor on q's Redis at /jobs/ for admins (read-only unless
// MATTERFILE_ADMIN_QUEUES_WRITE).
func (a *app) adminWeb(q *worker.Queue, web webOptions) (*admin.Server, error) {
	h, err := a.handlers(q)
	if err != nil {
		return nil, err
	}
	mon := asynqmon.New(asynqmon.Options{
		RootPath:     jobsRootPath,
		RedisConnOpt: q.RedisConnOpt(),
		ReadOnly:     !a.cfg.AdminQueuesWrite,
	})
	a.closers = append(a.closers, mon.Close)
	var oauth *oauth2.Config
	if gc := a.cfg.Google; gc.ClientID != "" {
		oauth = gmail.OAuthConfig(gc.ClientID, gc.ClientSecret, gc.AuthURL, gc.TokenURL, a.cfg.PublicURL+"/mailboxes/callback", nil)
	}
	google, err := a.googleSignin()
	if err != nil {
		return nil, err
	}
	return admin.New(admin.Config{
		Catalog: a.cat, Handlers: h, Logger: a.log, Lockout: a.cfg.LoginLockout,
		InsecureCookies: web.InsecureCookies, DefaultTenant: web.DefaultTenant, Jobs: mon,
		OAuth: oauth, Enqueuer: q.Client, Policy: &a.policy, Google: google,
	})
}

// googleSignin builds "Sign in with Google" for the admin web when a
// Google OAuth client is configured (nil otherwise). Discovery at
// MATTERFILE_OIDC_ISSUER runs here, so a wrong issuer stops serve before
// it listens. The sign-in cookie's key is the deployment's, kept sealed in
// the store (catalog.SignInCookieKey): every serve process behind the same
// origin verifies the cookie another one set, and no key is in code,
// configuration or a process's memory alone.
func (a *app) googleSignin() (*googlesignin.Signin, error) {
	gc := a.cfg.Google
	if gc.ClientID == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	key, err := a.cat.SignInCookieKey(ctx)
	if err != nil {
		return nil, err
	}
	return googlesignin.New(ctx, googlesignin.Config{
		Issuer: gc.OIDCIssuer, ClientID: gc.ClientID, ClientSecret: gc.ClientSecret,
		RedirectURL: a.cfg.PublicURL + "/signin/google/callback", CookieKey: key,
	})
}

// adminRoutes mounts the operator pages on mux behind the token of
// MATTERFILE_ADMIN_TOKEN_FILE, and nothing without it: the queue monitor
// (asynqmon) at /admin/queues/, on q's Redis. With the embedded Redis it
// shows this process's queue only. It acts on the queues only with
// MATTERFILE_ADMIN_QUEUES_WRITE.
func (a *app) adminRoutes(mux *http.ServeMux, q *worker.Queue) error {
	if a.cfg.AdminTokenFile == "" {
		return nil
	}
	tok, err := adminauth.LoadToken(a.cfg.AdminTokenFile)
	if err != nil {
		return fmt.Errorf("MATTERFILE_ADMIN_TOKEN_FILE: %w", err)
	}
	guard, err := adminauth.New(adminauth.Config{Token: tok, Logger: a.log})
	if err != nil {
		return fmt.Errorf("MATTERFILE_ADMIN_TOKEN_FILE: %w", err)
	}
	mon := asynqmon.New(asynqmon.Options{
		RootPath:     adminQueuesPath,
		RedisConnOpt: q.RedisConnOpt(),
		ReadOnly:     !a.cfg.AdminQueuesWrite,
	})
	a.closers = append(a.closers, mon.Close)
	mux.Handle(adminQueuesPath+"/", guard.Wrap(mon))
	return nil
}

// poller builds the Gmail poll of this configuration.
func (a *app) poller(q *worker.Queue) (*worker.Poller, error) {
	p, err := worker.NewPoller(a.cat, q.Client, a.cfg.Google.PollInterval, a.log)
	if err != nil {
		return nil, err
	}
	p.Watch = a.cfg.Google.PubSubTopic != ""
	return p, nil
}

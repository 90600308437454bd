package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/api/idtoken"

	"github.com/matterfile/matterfile/push"
	"github.com/matterfile/matterfile/worker"
)

func newServeCmd(g *globals) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the Gmail push endpoint (and, without Redis, the worker)",
		Long: `Serve HTTP on MATTERFILE_LISTEN (or --listen):

  POST /gmail/push/<tenant>   Pub/Sub push of Gmail notifications,
                              authenticated by the subscription's OIDC
                              token (MATTERFILE_PUSH_AUDIENCE and
                              MATTERFILE_PUSH_SERVICE_ACCOUNT) or by
                              ?token=<MATTERFILE_PUSH_SECRET> in its endpoint
  GET  /healthz               200 while the process serves
  GET  /readyz                200 when Redis and the object store answer
                              within 2 s; 503 naming the one that does not
  GET  /metrics               Prometheus metrics (IDs and fixed words only)

A push only queues a sync of the mailbox; it is acknowledged at once. With
no MATTERFILE_REDIS_URL this process also runs the worker and the poll, since
nothing else can reach its in-process queue.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (default MATTERFILE_LISTEN)")
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
		q, err := a.openQueue()
		if err != nil {
			return err
		}
		pcfg.Enqueuer = q.Client
		ph, err := push.New(pcfg)
		if err != nil {
			return err
		}
		mux := a.serveHandler(q, ph)
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fmt.Errorf("MATTERFILE_LISTEN: %w", err)
		}
		fmt.Fprintf(g.stderr, "matterfile serve: listening on http://%s\n", ln.Addr())
		if q.Embedded() {
			stop, err := a.startWorker(ctx, q)
			if err != nil {
				ln.Close()
				return err
			}
			defer stop()
			poller, err := a.poller(q)
			if err != nil {
				ln.Close()
				return err
			}
			go poller.Run(ctx)
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
	})
	return cmd
}

// serveHandler routes serve's endpoints: the push endpoint ph, and
// /metrics, /healthz and /readyz.
func (a *app) serveHandler(q *worker.Queue, ph http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/gmail/push/", ph)
	return a.opsHandler(q, mux)
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

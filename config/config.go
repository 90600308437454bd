// Package config owns matterfile's settings: one struct, defaults applied
// in one place, read from MATTERFILE_* environment variables (flags
// override them in cmd/matterfile), and validated at start-up so that a
// wrong value fails naming the setting, never halfway through a job.
//
// It must never print a secret: errors name settings, not their values.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/ids"
)

// Config is every setting of a matterfile process.
type Config struct {
	// DataDir holds the local store and the local root key file
	// (MATTERFILE_DATA_DIR, default ./matterfile-data).
	DataDir string
	// RedisURL is the Redis that carries work (MATTERFILE_REDIS_URL). Empty:
	// an in-process Redis-compatible server, for one machine.
	RedisURL string
	// S3 is the object store (MATTERFILE_S3_*). Empty endpoint: the
	// encrypted local directory DataDir/store.
	S3 S3
	// KeyURI names the root key (MATTERFILE_KEY_URI, default
	// file://<DataDir>/root.key): file:///path, aws-kms://arn:...,
	// gcp-kms://projects/... or hcvault://host/transit/keys/<name>.
	// Credentials come from the platform, never from this setting.
	KeyURI string
	// MatterLabelPrefix and FilingLabel are the Gmail labels that ask for
	// filing (MATTERFILE_MATTER_LABEL_PREFIX, default "Matters/";
	// MATTERFILE_FILING_LABEL, default "File to matter").
	MatterLabelPrefix string
	FilingLabel       string
	// Concurrency is the number of tasks a worker runs at once
	// (MATTERFILE_CONCURRENCY, default 4).
	Concurrency int
	// TenantMaxInFlight is how many tasks of one tenant run at once, at
	// most, across every worker sharing the Redis, so that one firm's
	// backfill leaves slots for the others' new mail
	// (MATTERFILE_TENANT_MAX_INFLIGHT, default max(1, Concurrency/2)).
	TenantMaxInFlight int
	// ShutdownTimeout is how long a stopping worker (SIGTERM, SIGINT)
	// lets its in-flight tasks finish before it hands them back to the
	// queue (MATTERFILE_SHUTDOWN_TIMEOUT, default 30s).
	ShutdownTimeout time.Duration
	// ReconcileInterval is how often a worker queues a reconcile of
	// every tenant: staged work and Gmail's filing labels compared with
	// what is filed (MATTERFILE_RECONCILE_INTERVAL, default 1h).
	ReconcileInterval time.Duration
	// TerminationPeriod is how long a terminated firm's data is kept
	// before the retention sweep shreds it, unless 'tenants terminate
	// --after' says otherwise (MATTERFILE_TERMINATION_PERIOD, default 90
	// days).
	TerminationPeriod time.Duration
	// Google is the Gmail source.
	Google Google
	// Listen is the address of 'serve' (MATTERFILE_LISTEN, default
	// 127.0.0.1:8080).
	Listen string
	// MetricsAddr is where 'worker' serves /metrics, /healthz and
	// /readyz (MATTERFILE_METRICS_ADDR, such as 127.0.0.1:9464). Empty:
	// not served, so that several workers on one machine never fight
	// over a port; 'serve' has them on Listen.
	MetricsAddr string
	// OpsListen moves 'serve's /metrics and /readyz off Listen to an
	// address of their own (MATTERFILE_OPS_LISTEN, such as
	// 127.0.0.1:9465), so that a public listener does not show them.
	// Empty: they stay on Listen. /healthz answers on both.
	OpsListen string
	// PublicURL is the origin people reach 'serve' at, such as
	// https://matterfile.firm.example (MATTERFILE_PUBLIC_URL; default
	// http://<MATTERFILE_LISTEN>): Google sends the browser back to
	// <PublicURL>/mailboxes/callback after consent.
	PublicURL string
	// AdminTokenFile holds the token that opens 'serve's queue monitor at
	// /admin/queues/ without an account (MATTERFILE_ADMIN_TOKEN_FILE; see
	// internal/adminauth). Empty: that route is not served; signed-in
	// admins have the monitor at /jobs/ either way.
	AdminTokenFile string
	// AdminQueuesWrite lets the queue monitor act (delete, run, archive,
	// pause) instead of only showing (MATTERFILE_ADMIN_QUEUES_WRITE,
	// default false), at /jobs/ for signed-in admins and at
	// /admin/queues/ behind the token.
	AdminQueuesWrite bool
	// LoginLockout is how long an account stays locked after three
	// failed sign-ins to the admin web, unless an admin unlocks it
	// sooner (MATTERFILE_LOGIN_LOCKOUT, default 15m).
	LoginLockout time.Duration
	// LogFormat is "text" or "json" (MATTERFILE_LOG_FORMAT, default
	// text; the --log-format flag overrides it).
	LogFormat string
}

// Google configures the Gmail API source.
type Google struct {
	ClientID     string // MATTERFILE_GOOGLE_CLIENT_ID: OAuth client for per-user consent
	ClientSecret string // MATTERFILE_GOOGLE_CLIENT_SECRET
	Endpoint     string // MATTERFILE_GMAIL_ENDPOINT, default https://gmail.googleapis.com/
	AuthURL      string // MATTERFILE_OAUTH_AUTH_URL, default Google's
	TokenURL     string // MATTERFILE_OAUTH_TOKEN_URL, default Google's
	// OIDCIssuer is the OpenID Connect issuer of "Sign in with Google"
	// (MATTERFILE_OIDC_ISSUER, default https://accounts.google.com); the
	// admin web offers it when ClientID is set.
	OIDCIssuer string
	// QuotaPerMinute is each mailbox's budget in units
	// (MATTERFILE_GMAIL_QUOTA_PER_MINUTE, default 6000); Costs overrides
	// unit costs per method (MATTERFILE_GMAIL_COSTS, "messages.get=20,history.list=2").
	QuotaPerMinute int
	Costs          map[string]int
	// PollInterval is how often every mailbox is synced even without a
	// push (MATTERFILE_GMAIL_POLL_INTERVAL, default 10m).
	PollInterval time.Duration
	// PubSubTopic receives Gmail push notifications
	// (MATTERFILE_GMAIL_PUBSUB_TOPIC, projects/<p>/topics/<t>); empty:
	// polling only. PushSecret authenticates the pushes
	// (MATTERFILE_PUSH_SECRET, at least 32 characters).
	PubSubTopic string
	PushSecret  string
	// PushAudience and PushServiceAccount check Pub/Sub's OIDC tokens
	// instead of (or besides) the secret (MATTERFILE_PUSH_AUDIENCE,
	// MATTERFILE_PUSH_SERVICE_ACCOUNT).
	PushAudience       string
	PushServiceAccount string
}

// S3 is an S3-compatible object store.
type S3 struct {
	Endpoint  string // MATTERFILE_S3_ENDPOINT, host:port
	AccessKey string // MATTERFILE_S3_ACCESS_KEY
	SecretKey string // MATTERFILE_S3_SECRET_KEY
	Bucket    string // MATTERFILE_S3_BUCKET, default "matterfile"
	// KeysBucket holds the wrapped keysets, apart from the data so that
	// data backups hold ciphertext only and erasing a keyset reaches them
	// (MATTERFILE_S3_KEYS_BUCKET, default "<bucket>-keys").
	KeysBucket string
	// BucketPerTenant isolates each tenant in a bucket of its own,
	// <bucket>-t-<tenant>, instead of a tenants/<id>/ prefix in Bucket
	// (MATTERFILE_S3_BUCKET_PER_TENANT, default false).
	BucketPerTenant bool
	TLS             bool   // MATTERFILE_S3_TLS, default true; false for loopback
	Region          string // MATTERFILE_S3_REGION, optional
}

// Setting documents one environment variable, for --help and the README.
type Setting struct {
	Env, Default, Help string
}

// Settings lists every environment variable matterfile reads.
func Settings() []Setting {
	return []Setting{
		{"MATTERFILE_DATA_DIR", "./matterfile-data", "local store (store/), its key store (keys/) and the root key file"},
		{"MATTERFILE_REDIS_URL", "(embedded)", "redis://[:password@]host:port[/db]; unset: in-process Redis-compatible server"},
		{"MATTERFILE_S3_ENDPOINT", "(local store)", "S3/MinIO host:port; unset: encrypted local directory under the data dir"},
		{"MATTERFILE_S3_ACCESS_KEY", "", "S3 access key (required with an endpoint)"},
		{"MATTERFILE_S3_SECRET_KEY", "", "S3 secret key (required with an endpoint)"},
		{"MATTERFILE_S3_BUCKET", "matterfile", "bucket holding every tenant under tenants/<id>/"},
		{"MATTERFILE_S3_KEYS_BUCKET", "<bucket>-keys", "bucket holding the wrapped keysets, backed up apart from the data"},
		{"MATTERFILE_S3_BUCKET_PER_TENANT", "false", "true: each tenant in a bucket of its own, <bucket>-t-<tenant>; false: one bucket, a tenants/<id>/ prefix each"},
		{"MATTERFILE_S3_TLS", "true", "use TLS to the S3 endpoint (false for loopback)"},
		{"MATTERFILE_S3_REGION", "", "S3 region, if the store needs one"},
		{"MATTERFILE_KEY_URI", "file://<data dir>/root.key", "root key: file:///absolute/path (created 0600 if missing, refused inside a git tree), " +
			"aws-kms://arn:aws:kms:<region>:<account>:key/<id> (AWS default credentials), " +
			"gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k> (Application Default Credentials) or " +
			"hcvault://host:port/transit/keys/<name> (token from VAULT_TOKEN or VAULT_TOKEN_FILE)"},
		{"MATTERFILE_MATTER_LABEL_PREFIX", "Matters/", "Gmail label prefix naming a matter"},
		{"MATTERFILE_FILING_LABEL", "File to matter", "generic Gmail label asking for filing"},
		{"MATTERFILE_CONCURRENCY", "4", "tasks a worker runs at once"},
		{"MATTERFILE_TENANT_MAX_INFLIGHT", "max(1, concurrency/2)", "tasks of one tenant that run at once across all workers sharing the Redis, so that one firm's backfill cannot hold every slot (with several workers, about half their total concurrency); with the in-process Redis it is off unless set"},
		{"MATTERFILE_SHUTDOWN_TIMEOUT", "30s", "how long a worker stopped by SIGTERM or SIGINT lets in-flight tasks finish before it returns them to the queue"},
		{"MATTERFILE_GOOGLE_CLIENT_ID", "", "Google OAuth client ID, for per-user mailbox consent"},
		{"MATTERFILE_GOOGLE_CLIENT_SECRET", "", "Google OAuth client secret"},
		{"MATTERFILE_GMAIL_ENDPOINT", "https://gmail.googleapis.com/", "Gmail API base URL"},
		{"MATTERFILE_OAUTH_AUTH_URL", "(Google's)", "OAuth authorization endpoint"},
		{"MATTERFILE_OAUTH_TOKEN_URL", "(Google's)", "OAuth token endpoint (also used for delegation)"},
		{"MATTERFILE_OIDC_ISSUER", "https://accounts.google.com", "OpenID Connect issuer of \"Sign in with Google\" in the admin web, offered when MATTERFILE_GOOGLE_CLIENT_ID is set; <MATTERFILE_PUBLIC_URL>/signin/google/callback must be a redirect URI of that client, and a firm's accounts may use it once its Workspace domain is set ('tenants settings --workspace-domain')"},
		{"MATTERFILE_GMAIL_QUOTA_PER_MINUTE", "6000", "Gmail quota units per mailbox per minute"},
		{"MATTERFILE_GMAIL_COSTS", "(current table)", "unit costs per method, e.g. messages.get=20,history.list=2"},
		{"MATTERFILE_GMAIL_POLL_INTERVAL", "10m", "how often every connected mailbox is synced without a push"},
		{"MATTERFILE_RECONCILE_INTERVAL", "1h", "how often 'worker' re-queues whatever is labelled or staged but neither filed nor queued (also at once when Redis lost its data)"},
		{"MATTERFILE_TERMINATION_PERIOD", "90d", "how long a firm marked terminated ('tenants terminate') keeps its data before the retention sweep, run with the reconcile schedule, crypto-shreds it unless a legal hold stands (such as 90d, 12w, 1y or 36h)"},
		{"MATTERFILE_GMAIL_PUBSUB_TOPIC", "", "Pub/Sub topic for Gmail push (projects/<p>/topics/<t>); unset: polling only"},
		{"MATTERFILE_PUSH_SECRET", "", "secret token of the Pub/Sub push subscription (32+ characters), for 'serve'"},
		{"MATTERFILE_PUSH_AUDIENCE", "", "audience of the push subscription's OIDC token, to verify pushes by Google's signature"},
		{"MATTERFILE_PUSH_SERVICE_ACCOUNT", "", "service account the push subscription signs its OIDC token as"},
		{"MATTERFILE_LISTEN", "127.0.0.1:8080", "address 'serve' listens on"},
		{"MATTERFILE_METRICS_ADDR", "", "address 'worker' serves /metrics, /healthz and /readyz on, e.g. 127.0.0.1:9464; unset: not served"},
		{"MATTERFILE_PUBLIC_URL", "http://<MATTERFILE_LISTEN>", "origin people reach 'serve' at, such as https://matterfile.firm.example; <it>/mailboxes/callback must be a redirect URI of the Google OAuth client for connecting mailboxes from the admin web"},
		{"MATTERFILE_OPS_LISTEN", "", "address 'serve' serves /metrics and /readyz on instead of MATTERFILE_LISTEN, e.g. 127.0.0.1:9465 (/healthz stays on both); unset: on MATTERFILE_LISTEN"},
		{"MATTERFILE_ADMIN_TOKEN_FILE", "", "file holding the token (32+ printable characters, e.g. openssl rand -base64 48) that opens the queue monitor at /admin/queues/ to scripts and operators without an account; unset: not served (admins of the admin web have it at /jobs/)"},
		{"MATTERFILE_ADMIN_QUEUES_WRITE", "false", "true: the queue monitor (/jobs/ for signed-in admins, /admin/queues/ behind the token) may delete, run, archive and pause; false: it only shows"},
		{"MATTERFILE_LOGIN_LOCKOUT", "15m", "how long an admin web account stays locked after 3 failed sign-ins, unless an admin unlocks it sooner (1m to 168h)"},
		{"MATTERFILE_LOG_FORMAT", "text", "log format: text or json (--log-format overrides it)"},
	}
}

// SettingError names the setting that is wrong.
type SettingError struct {
	Setting string
	Problem string
}

func (e *SettingError) Error() string { return e.Setting + ": " + e.Problem }

// maxTenantInFlight bounds MATTERFILE_TENANT_MAX_INFLIGHT: the bound is
// shared by every worker, each of which runs at most 256 tasks.
const maxTenantInFlight = 4096

func bad(setting, format string, args ...any) error {
	return &SettingError{Setting: setting, Problem: fmt.Sprintf(format, args...)}
}

// FromEnv reads the settings through getenv (os.Getenv in production),
// applies defaults and validates.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DataDir:           getenv("MATTERFILE_DATA_DIR"),
		RedisURL:          getenv("MATTERFILE_REDIS_URL"),
		KeyURI:            getenv("MATTERFILE_KEY_URI"),
		MatterLabelPrefix: getenv("MATTERFILE_MATTER_LABEL_PREFIX"),
		FilingLabel:       getenv("MATTERFILE_FILING_LABEL"),
		S3: S3{
			Endpoint:   getenv("MATTERFILE_S3_ENDPOINT"),
			AccessKey:  getenv("MATTERFILE_S3_ACCESS_KEY"),
			SecretKey:  getenv("MATTERFILE_S3_SECRET_KEY"),
			Bucket:     getenv("MATTERFILE_S3_BUCKET"),
			KeysBucket: getenv("MATTERFILE_S3_KEYS_BUCKET"),
			Region:     getenv("MATTERFILE_S3_REGION"),
			TLS:        true,
		},
	}
	if v := getenv("MATTERFILE_S3_BUCKET_PER_TENANT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, bad("MATTERFILE_S3_BUCKET_PER_TENANT", "want true or false")
		}
		c.S3.BucketPerTenant = b
	}
	if v := getenv("MATTERFILE_S3_TLS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, bad("MATTERFILE_S3_TLS", "want true or false")
		}
		c.S3.TLS = b
	}
	if v := getenv("MATTERFILE_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return Config{}, bad("MATTERFILE_CONCURRENCY", "want a whole number")
		}
		// Checked here because zero means "unset" to ApplyDefaults; an
		// explicit 0 is a mistake, not a request for the default.
		if n < 1 {
			return Config{}, bad("MATTERFILE_CONCURRENCY", "want 1 to 256")
		}
		c.Concurrency = n
	}
	if v := getenv("MATTERFILE_TENANT_MAX_INFLIGHT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Config{}, bad("MATTERFILE_TENANT_MAX_INFLIGHT", "want a whole number from 1 to %d", maxTenantInFlight)
		}
		c.TenantMaxInFlight = n
	}
	if v := getenv("MATTERFILE_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return Config{}, bad("MATTERFILE_SHUTDOWN_TIMEOUT", "want a duration from 1s to 1h, such as 30s")
		}
		c.ShutdownTimeout = d
	}
	c.Google.ClientID = getenv("MATTERFILE_GOOGLE_CLIENT_ID")
	c.Google.ClientSecret = getenv("MATTERFILE_GOOGLE_CLIENT_SECRET")
	c.Google.Endpoint = getenv("MATTERFILE_GMAIL_ENDPOINT")
	c.Google.AuthURL = getenv("MATTERFILE_OAUTH_AUTH_URL")
	c.Google.TokenURL = getenv("MATTERFILE_OAUTH_TOKEN_URL")
	c.Google.OIDCIssuer = "https://accounts.google.com"
	if v := getenv("MATTERFILE_OIDC_ISSUER"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return Config{}, bad("MATTERFILE_OIDC_ISSUER", "want an issuer URL such as https://accounts.google.com")
		}
		c.Google.OIDCIssuer = v
	}
	c.Google.PubSubTopic = getenv("MATTERFILE_GMAIL_PUBSUB_TOPIC")
	c.Google.PushSecret = getenv("MATTERFILE_PUSH_SECRET")
	c.Google.PushAudience = getenv("MATTERFILE_PUSH_AUDIENCE")
	c.Google.PushServiceAccount = getenv("MATTERFILE_PUSH_SERVICE_ACCOUNT")
	c.Listen = getenv("MATTERFILE_LISTEN")
	c.MetricsAddr = getenv("MATTERFILE_METRICS_ADDR")
	c.OpsListen = getenv("MATTERFILE_OPS_LISTEN")
	if v := getenv("MATTERFILE_PUBLIC_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return Config{}, bad("MATTERFILE_PUBLIC_URL", "want an origin such as https://matterfile.firm.example")
		}
		c.PublicURL = u.Scheme + "://" + u.Host
	}
	c.AdminTokenFile = getenv("MATTERFILE_ADMIN_TOKEN_FILE")
	if v := getenv("MATTERFILE_ADMIN_QUEUES_WRITE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, bad("MATTERFILE_ADMIN_QUEUES_WRITE", "want true or false")
		}
		c.AdminQueuesWrite = b
	}
	if v := getenv("MATTERFILE_LOGIN_LOCKOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 7*24*time.Hour {
			return Config{}, bad("MATTERFILE_LOGIN_LOCKOUT", "want a duration from 1m to 168h, such as 15m")
		}
		c.LoginLockout = d
	}
	c.LogFormat = getenv("MATTERFILE_LOG_FORMAT")
	if v := getenv("MATTERFILE_GMAIL_QUOTA_PER_MINUTE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Config{}, bad("MATTERFILE_GMAIL_QUOTA_PER_MINUTE", "want a whole number above 0")
		}
		c.Google.QuotaPerMinute = n
	}
	if v := getenv("MATTERFILE_GMAIL_COSTS"); v != "" {
		costs, err := parseCosts(v)
		if err != nil {
			return Config{}, bad("MATTERFILE_GMAIL_COSTS", "%v", err)
		}
		c.Google.Costs = costs
	}
	if v := getenv("MATTERFILE_GMAIL_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second {
			return Config{}, bad("MATTERFILE_GMAIL_POLL_INTERVAL", "want a duration of at least 10s, such as 10m")
		}
		c.Google.PollInterval = d
	}
	if v := getenv("MATTERFILE_RECONCILE_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 7*24*time.Hour {
			return Config{}, bad("MATTERFILE_RECONCILE_INTERVAL", "want a duration from 1m to 168h, such as 1h")
		}
		c.ReconcileInterval = d
	}
	if v := getenv("MATTERFILE_TERMINATION_PERIOD"); v != "" {
		d, err := ParsePeriod(v)
		if err != nil || d <= 0 {
			return Config{}, bad("MATTERFILE_TERMINATION_PERIOD", "want a positive period such as 90d, 12w, 1y or 36h")
		}
		c.TerminationPeriod = d
	}
	c.ApplyDefaults()
	return c, c.Validate()
}

// ParsePeriod reads a retention period: a number of days, weeks or years
// ("90d", "12w", "7y"; a year is 365 days) or a Go duration ("36h").
func ParsePeriod(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n := len(v); n > 1 {
		unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}[v[n-1]]
		if unit != 0 {
			k, err := strconv.Atoi(v[:n-1])
			if err != nil || k < 0 || k > 100*365 {
				return 0, fmt.Errorf("period %q: want a whole number before %c", v, v[n-1])
			}
			return time.Duration(k) * unit, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("period %q: want such as 90d, 12w, 1y or 36h", v)
	}
	return d, nil
}

// parseCosts reads "method=units,method=units".
func parseCosts(v string) (map[string]int, error) {
	out := map[string]int{}
	for _, item := range strings.Split(v, ",") {
		k, n, ok := strings.Cut(strings.TrimSpace(item), "=")
		units, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || strings.TrimSpace(k) == "" || err != nil || units < 0 {
			return nil, errors.New("want method=units pairs separated by commas")
		}
		out[strings.TrimSpace(k)] = units
	}
	return out, nil
}

// ApplyDefaults fills every unset field with its default. It is the only
// place defaults live.
func (c *Config) ApplyDefaults() {
	if c.DataDir == "" {
		c.DataDir = "matterfile-data"
	}
	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	if c.KeyURI == "" {
		c.KeyURI = "file://" + filepath.ToSlash(filepath.Join(c.DataDir, "root.key"))
	}
	if c.S3.Bucket == "" {
		c.S3.Bucket = "matterfile"
	}
	if c.S3.KeysBucket == "" {
		c.S3.KeysBucket = c.S3.Bucket + "-keys"
	}
	if c.MatterLabelPrefix == "" {
		c.MatterLabelPrefix = "Matters/"
	}
	if c.FilingLabel == "" {
		c.FilingLabel = "File to matter"
	}
	if c.Concurrency == 0 {
		c.Concurrency = 4
	}
	if c.TenantMaxInFlight == 0 {
		c.TenantMaxInFlight = max(1, c.Concurrency/2)
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.Google.Endpoint == "" {
		c.Google.Endpoint = "https://gmail.googleapis.com/"
	}
	if c.Google.QuotaPerMinute == 0 {
		c.Google.QuotaPerMinute = 6000
	}
	if c.Google.PollInterval == 0 {
		c.Google.PollInterval = 10 * time.Minute
	}
	if c.ReconcileInterval == 0 {
		c.ReconcileInterval = time.Hour
	}
	if c.TerminationPeriod == 0 {
		c.TerminationPeriod = 90 * 24 * time.Hour
	}
	if c.LoginLockout == 0 {
		c.LoginLockout = 15 * time.Minute
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
}

// Validate names the first wrong setting.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return bad("MATTERFILE_DATA_DIR", "is empty")
	}
	if c.ReconcileInterval != 0 && (c.ReconcileInterval < time.Minute || c.ReconcileInterval > 7*24*time.Hour) {
		return bad("MATTERFILE_RECONCILE_INTERVAL", "want a duration from 1m to 168h, such as 1h")
	}
	if c.RedisURL != "" {
		if _, err := asynq.ParseRedisURI(c.RedisURL); err != nil {
			return bad("MATTERFILE_REDIS_URL", "not a redis:// or rediss:// URL")
		}
	}
	if c.S3.Endpoint != "" {
		if strings.Contains(c.S3.Endpoint, "://") || strings.Contains(c.S3.Endpoint, "/") {
			return bad("MATTERFILE_S3_ENDPOINT", "want host:port without a scheme or path (TLS is MATTERFILE_S3_TLS)")
		}
		if c.S3.AccessKey == "" {
			return bad("MATTERFILE_S3_ACCESS_KEY", "is required with MATTERFILE_S3_ENDPOINT")
		}
		if c.S3.SecretKey == "" {
			return bad("MATTERFILE_S3_SECRET_KEY", "is required with MATTERFILE_S3_ENDPOINT")
		}
		if err := validBucket(c.S3.Bucket); err != nil {
			return bad("MATTERFILE_S3_BUCKET", "%v", err)
		}
		if err := validBucket(c.S3.KeysBucket); err != nil {
			return bad("MATTERFILE_S3_KEYS_BUCKET", "%v", err)
		}
		if c.S3.BucketPerTenant && strings.HasPrefix(c.S3.KeysBucket, c.S3.TenantBucketPrefix()+"-") {
			return bad("MATTERFILE_S3_KEYS_BUCKET", "must not look like a tenant's bucket (%s-<tenant>)", c.S3.TenantBucketPrefix())
		}
		if c.S3.KeysBucket == c.S3.Bucket {
			return bad("MATTERFILE_S3_KEYS_BUCKET", "must differ from MATTERFILE_S3_BUCKET: keysets are kept apart from the data they open")
		}
	}
	if err := validKeyURI(c.KeyURI); err != nil {
		return bad("MATTERFILE_KEY_URI", "%v", err)
	}
	if strings.TrimSpace(c.MatterLabelPrefix) == "" {
		return bad("MATTERFILE_MATTER_LABEL_PREFIX", "is blank")
	}
	if strings.TrimSpace(c.FilingLabel) == "" {
		return bad("MATTERFILE_FILING_LABEL", "is blank")
	}
	if c.Concurrency < 1 || c.Concurrency > 256 {
		return bad("MATTERFILE_CONCURRENCY", "want 1 to 256")
	}
	if c.TenantMaxInFlight < 1 || c.TenantMaxInFlight > maxTenantInFlight {
		return bad("MATTERFILE_TENANT_MAX_INFLIGHT", "want a whole number from 1 to %d", maxTenantInFlight)
	}
	for _, u := range []struct{ env, v string }{
		{"MATTERFILE_GMAIL_ENDPOINT", c.Google.Endpoint},
		{"MATTERFILE_OAUTH_AUTH_URL", c.Google.AuthURL},
		{"MATTERFILE_OAUTH_TOKEN_URL", c.Google.TokenURL},
	} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return bad(u.env, "want an http(s) URL")
		}
	}
	if t := c.Google.PubSubTopic; t != "" {
		parts := strings.Split(t, "/")
		if len(parts) != 4 || parts[0] != "projects" || parts[2] != "topics" || parts[1] == "" || parts[3] == "" {
			return bad("MATTERFILE_GMAIL_PUBSUB_TOPIC", "want projects/<project>/topics/<topic>")
		}
	}
	if s := c.Google.PushSecret; s != "" && len(s) < 32 {
		return bad("MATTERFILE_PUSH_SECRET", "want at least 32 characters")
	}
	if (c.Google.PushAudience == "") != (c.Google.PushServiceAccount == "") {
		return bad("MATTERFILE_PUSH_SERVICE_ACCOUNT", "MATTERFILE_PUSH_AUDIENCE and MATTERFILE_PUSH_SERVICE_ACCOUNT go together")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return bad("MATTERFILE_LISTEN", "want host:port")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return bad("MATTERFILE_METRICS_ADDR", "want host:port, such as 127.0.0.1:9464")
		}
	}
	if c.OpsListen != "" {
		if _, _, err := net.SplitHostPort(c.OpsListen); err != nil {
			return bad("MATTERFILE_OPS_LISTEN", "want host:port, such as 127.0.0.1:9465")
		}
		if c.OpsListen == c.Listen {
			return bad("MATTERFILE_OPS_LISTEN", "must differ from MATTERFILE_LISTEN; leave it unset to serve /metrics and /readyz there")
		}
	}
	if c.AdminTokenFile != "" && strings.TrimSpace(c.AdminTokenFile) != c.AdminTokenFile {
		return bad("MATTERFILE_ADMIN_TOKEN_FILE", "want a file path without surrounding spaces")
	}
	if c.LoginLockout != 0 && (c.LoginLockout < time.Minute || c.LoginLockout > 7*24*time.Hour) {
		return bad("MATTERFILE_LOGIN_LOCKOUT", "want a duration from 1m to 168h, such as 15m")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return bad("MATTERFILE_LOG_FORMAT", "want text or json")
	}
	if (c.Google.ClientID == "") != (c.Google.ClientSecret == "") {
		return bad("MATTERFILE_GOOGLE_CLIENT_SECRET", "MATTERFILE_GOOGLE_CLIENT_ID and MATTERFILE_GOOGLE_CLIENT_SECRET go together")
	}
	return nil
}

// Key URI shapes, as the Tink KMS clients take them (storage/sealed checks
// them again when it opens the key).
var (
	awsKeyURI    = regexp.MustCompile(`^aws-kms://arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$`)
	gcpKeyURI    = regexp.MustCompile(`^gcp-kms://projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$`)
	vaultKeyPath = regexp.MustCompile(`^/[^/]+(/[^/]+)*/keys/[^/]+$`)
)

// validKeyURI checks the shape of a root key URI. Its errors never contain
// the URI.
func validKeyURI(uri string) error {
	scheme, _, _ := strings.Cut(uri, ":")
	switch strings.ToLower(scheme) {
	case "file":
		u, err := url.Parse(uri)
		if err != nil || u.Host != "" || !filepath.IsAbs(u.Path) {
			return errors.New("want file:///absolute/path")
		}
	case "aws-kms":
		if !awsKeyURI.MatchString(uri) {
			return errors.New("want aws-kms://arn:aws:kms:<region>:<account>:key/<id> or ...:alias/<name>")
		}
	case "gcp-kms":
		if !gcpKeyURI.MatchString(uri) {
			return errors.New("want gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>")
		}
	case "hcvault":
		u, err := url.Parse(uri)
		if err != nil || u.Scheme != "hcvault" || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" || !vaultKeyPath.MatchString(u.EscapedPath()) {
			return errors.New("want hcvault://host[:port]/transit/keys/<name> (no token or query in the URI)")
		}
	default:
		return errors.New("unknown scheme; want file://, aws-kms://, gcp-kms:// or hcvault://")
	}
	return nil
}

// KeyFile is the root key file path when KeyURI is a file URI.
func (c *Config) KeyFile() string {
	u, err := url.Parse(c.KeyURI)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return u.Path
}

// TenantBucketPrefix names the tenants' buckets under bucket-per-tenant
// isolation: <prefix>-<tenant>. The "-t" keeps them apart from the keys
// bucket, <bucket>-keys.
func (s S3) TenantBucketPrefix() string { return s.Bucket + "-t" }

// LocalStoreDir is where the local store keeps objects.
func (c *Config) LocalStoreDir() string { return filepath.Join(c.DataDir, "store") }

// LocalKeysDir is where the local key store keeps the wrapped keysets:
// beside the data, not inside it, so a backup of the store holds
// ciphertext only and erasing a keyset reaches every copy of the data.
func (c *Config) LocalKeysDir() string { return filepath.Join(c.DataDir, "keys") }

func validBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return errors.New("bucket names are 3 to 63 characters")
	}
	if err := ids.Validate("bucket", b); err != nil {
		return errors.New("bucket names use a-z, 0-9 and -")
	}
	return nil
}

package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(c.DataDir, "matterfile-data") || c.Concurrency != 4 ||
		c.MatterLabelPrefix != "Matters/" || c.FilingLabel != "File to matter" ||
		c.S3.Bucket != "matterfile" || !c.S3.TLS || c.ShutdownTimeout != 30*time.Second {
		t.Errorf("defaults: %+v", c)
	}
	if c.TenantMaxInFlight != 2 {
		t.Errorf("tenant bound %d, want half of the concurrency 4", c.TenantMaxInFlight)
	}
	if c.KeyFile() == "" || !strings.HasSuffix(c.KeyFile(), "/root.key") {
		t.Errorf("key file %q", c.KeyFile())
	}
}

// A wrong value must fail naming the setting and never echo the value,
// which may be a secret.
func TestBadSettingsNameTheSetting(t *testing.T) {
	s3 := map[string]string{
		"MATTERFILE_S3_ENDPOINT":   "127.0.0.1:9000",
		"MATTERFILE_S3_ACCESS_KEY": "ak",
		"MATTERFILE_S3_SECRET_KEY": "sk",
	}
	with := func(base map[string]string, k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		env     map[string]string
		setting string
	}{
		{map[string]string{"MATTERFILE_CONCURRENCY": "0"}, "MATTERFILE_CONCURRENCY"},
		{map[string]string{"MATTERFILE_CONCURRENCY": "-3"}, "MATTERFILE_CONCURRENCY"},
		{map[string]string{"MATTERFILE_CONCURRENCY": "999"}, "MATTERFILE_CONCURRENCY"},
		{map[string]string{"MATTERFILE_CONCURRENCY": "four"}, "MATTERFILE_CONCURRENCY"},
		{map[string]string{"MATTERFILE_TENANT_MAX_INFLIGHT": "0"}, "MATTERFILE_TENANT_MAX_INFLIGHT"},
		{map[string]string{"MATTERFILE_TENANT_MAX_INFLIGHT": "-1"}, "MATTERFILE_TENANT_MAX_INFLIGHT"},
		{map[string]string{"MATTERFILE_TENANT_MAX_INFLIGHT": "half"}, "MATTERFILE_TENANT_MAX_INFLIGHT"},
		{map[string]string{"MATTERFILE_TENANT_MAX_INFLIGHT": "100000"}, "MATTERFILE_TENANT_MAX_INFLIGHT"},
		{map[string]string{"MATTERFILE_S3_TLS": "maybe"}, "MATTERFILE_S3_TLS"},
		{map[string]string{"MATTERFILE_OPS_LISTEN": "secret-host"}, "MATTERFILE_OPS_LISTEN"},
		{map[string]string{"MATTERFILE_OPS_LISTEN": "127.0.0.1:8080"}, "MATTERFILE_OPS_LISTEN"},
		{map[string]string{"MATTERFILE_ADMIN_TOKEN_FILE": " /secret-host/token"}, "MATTERFILE_ADMIN_TOKEN_FILE"},
		{map[string]string{"MATTERFILE_ADMIN_QUEUES_WRITE": "secret-host"}, "MATTERFILE_ADMIN_QUEUES_WRITE"},
		{map[string]string{"MATTERFILE_LOGIN_LOCKOUT": "10s"}, "MATTERFILE_LOGIN_LOCKOUT"},
		{map[string]string{"MATTERFILE_LOGIN_LOCKOUT": "forever"}, "MATTERFILE_LOGIN_LOCKOUT"},
		{map[string]string{"MATTERFILE_REDIS_URL": "http://secret-host:6379"}, "MATTERFILE_REDIS_URL"},
		{map[string]string{"MATTERFILE_KEY_URI": "relative/root.key"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "file://host/root.key"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "aws-kms://arn:aws:kms:secret-host"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "aws-kms://arn:aws:s3:us-east-1:123456789012:key/secret-host"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "gcp-kms://projects/secret-host/keyRings/r/cryptoKeys/k"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "hcvault:///transit/keys/secret-host"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "hcvault://secret-host:8200/transit/secret-host"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "hcvault://s.token@secret-host:8200/transit/keys/k"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_KEY_URI": "vault://secret-host/transit/keys/k"}, "MATTERFILE_KEY_URI"},
		{map[string]string{"MATTERFILE_MATTER_LABEL_PREFIX": "  "}, "MATTERFILE_MATTER_LABEL_PREFIX"},
		{map[string]string{"MATTERFILE_FILING_LABEL": " "}, "MATTERFILE_FILING_LABEL"},
		{with(s3, "MATTERFILE_S3_ENDPOINT", "https://s3.example.com"), "MATTERFILE_S3_ENDPOINT"},
		{with(s3, "MATTERFILE_S3_ACCESS_KEY", ""), "MATTERFILE_S3_ACCESS_KEY"},
		{with(s3, "MATTERFILE_S3_SECRET_KEY", ""), "MATTERFILE_S3_SECRET_KEY"},
		{with(s3, "MATTERFILE_S3_BUCKET", "Bad_Bucket"), "MATTERFILE_S3_BUCKET"},
		{with(s3, "MATTERFILE_S3_BUCKET", "ab"), "MATTERFILE_S3_BUCKET"},
		{with(s3, "MATTERFILE_S3_KEYS_BUCKET", "matterfile"), "MATTERFILE_S3_KEYS_BUCKET"},
		{with(s3, "MATTERFILE_S3_KEYS_BUCKET", "Keys"), "MATTERFILE_S3_KEYS_BUCKET"},
		{with(s3, "MATTERFILE_S3_BUCKET_PER_TENANT", "sometimes"), "MATTERFILE_S3_BUCKET_PER_TENANT"},
		{with(with(s3, "MATTERFILE_S3_BUCKET_PER_TENANT", "true"), "MATTERFILE_S3_KEYS_BUCKET", "matterfile-t-keys"), "MATTERFILE_S3_KEYS_BUCKET"},
		{map[string]string{"MATTERFILE_GMAIL_QUOTA_PER_MINUTE": "0"}, "MATTERFILE_GMAIL_QUOTA_PER_MINUTE"},
		{map[string]string{"MATTERFILE_GMAIL_COSTS": "messages.get"}, "MATTERFILE_GMAIL_COSTS"},
		{map[string]string{"MATTERFILE_GMAIL_COSTS": "messages.get=-1"}, "MATTERFILE_GMAIL_COSTS"},
		{map[string]string{"MATTERFILE_GMAIL_POLL_INTERVAL": "1s"}, "MATTERFILE_GMAIL_POLL_INTERVAL"},
		{map[string]string{"MATTERFILE_SHUTDOWN_TIMEOUT": "soon"}, "MATTERFILE_SHUTDOWN_TIMEOUT"},
		{map[string]string{"MATTERFILE_SHUTDOWN_TIMEOUT": "10ms"}, "MATTERFILE_SHUTDOWN_TIMEOUT"},
		{map[string]string{"MATTERFILE_GMAIL_ENDPOINT": "gmail.googleapis.com"}, "MATTERFILE_GMAIL_ENDPOINT"},
		{map[string]string{"MATTERFILE_OAUTH_TOKEN_URL": "ftp://x"}, "MATTERFILE_OAUTH_TOKEN_URL"},
		{map[string]string{"MATTERFILE_GOOGLE_CLIENT_ID": "id"}, "MATTERFILE_GOOGLE_CLIENT_SECRET"},
		{map[string]string{"MATTERFILE_GMAIL_PUBSUB_TOPIC": "my-topic"}, "MATTERFILE_GMAIL_PUBSUB_TOPIC"},
		{map[string]string{"MATTERFILE_PUSH_SECRET": "short"}, "MATTERFILE_PUSH_SECRET"},
		{map[string]string{"MATTERFILE_LISTEN": "8080"}, "MATTERFILE_LISTEN"},
		{map[string]string{"MATTERFILE_METRICS_ADDR": "secret-host"}, "MATTERFILE_METRICS_ADDR"},
		{map[string]string{"MATTERFILE_LOG_FORMAT": "secret-host"}, "MATTERFILE_LOG_FORMAT"},
		{map[string]string{"MATTERFILE_PUSH_AUDIENCE": "https://x/"}, "MATTERFILE_PUSH_SERVICE_ACCOUNT"},
	}
	for _, tc := range cases {
		_, err := FromEnv(env(tc.env))
		var se *SettingError
		if !errors.As(err, &se) {
			t.Errorf("%v: want a SettingError, got %v", tc.env, err)
			continue
		}
		if se.Setting != tc.setting {
			t.Errorf("%v: error names %s, want %s", tc.env, se.Setting, tc.setting)
		}
		if strings.Contains(err.Error(), "secret-host") {
			t.Errorf("error echoes the value: %v", err)
		}
	}
	if _, err := FromEnv(env(s3)); err != nil {
		t.Errorf("valid S3 settings rejected: %v", err)
	}
	g, err := FromEnv(env(map[string]string{"MATTERFILE_GMAIL_COSTS": "messages.get=5, history.list=2", "MATTERFILE_GMAIL_POLL_INTERVAL": "5m"}))
	if err != nil || g.Google.Costs["messages.get"] != 5 || g.Google.Costs["history.list"] != 2 || g.Google.PollInterval != 5*time.Minute {
		t.Errorf("gmail settings: %+v, %v", g.Google, err)
	}
	r, err := FromEnv(env(map[string]string{"MATTERFILE_RECONCILE_INTERVAL": "15m"}))
	if err != nil || r.ReconcileInterval != 15*time.Minute {
		t.Errorf("reconcile interval: %v, %v", r.ReconcileInterval, err)
	}
	if d, err := FromEnv(env(nil)); err != nil || d.ReconcileInterval != time.Hour {
		t.Errorf("reconcile interval default: %v, %v", d.ReconcileInterval, err)
	}
	if d, err := FromEnv(env(nil)); err != nil || d.LoginLockout != 15*time.Minute {
		t.Errorf("login lockout default: %v, %v", d.LoginLockout, err)
	}
	if l, err := FromEnv(env(map[string]string{"MATTERFILE_LOGIN_LOCKOUT": "1h"})); err != nil || l.LoginLockout != time.Hour {
		t.Errorf("login lockout: %v, %v", l.LoginLockout, err)
	}
	for _, v := range []string{"soon", "10s", "0", "-1h", "200h"} {
		_, err := FromEnv(env(map[string]string{"MATTERFILE_RECONCILE_INTERVAL": v}))
		var se *SettingError
		if !errors.As(err, &se) || se.Setting != "MATTERFILE_RECONCILE_INTERVAL" {
			t.Errorf("MATTERFILE_RECONCILE_INTERVAL=%s: want a SettingError, got %v", v, err)
		}
	}
}

// Every supported root key scheme passes with a well-formed URI; the help
// text lists them all.
func TestKeyURISchemes(t *testing.T) {
	for _, uri := range []string{
		"file:///var/lib/matterfile/root.key",
		"aws-kms://arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"aws-kms://arn:aws:kms:us-east-1:123456789012:alias/matterfile-root",
		"aws-kms://arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd",
		"gcp-kms://projects/firm/locations/europe-west2/keyRings/matterfile/cryptoKeys/root",
		"hcvault://vault.internal:8200/transit/keys/matterfile-root",
		"hcvault://vault.internal/kms/transit/keys/root",
	} {
		c, err := FromEnv(env(map[string]string{"MATTERFILE_KEY_URI": uri}))
		if err != nil {
			t.Errorf("%s: %v", uri, err)
			continue
		}
		if got, want := c.KeyFile() != "", strings.HasPrefix(uri, "file:"); got != want {
			t.Errorf("%s: KeyFile() = %q", uri, c.KeyFile())
		}
	}
	var help string
	for _, s := range Settings() {
		if s.Env == "MATTERFILE_KEY_URI" {
			help = s.Help
		}
	}
	for _, scheme := range []string{"file://", "aws-kms://", "gcp-kms://", "hcvault://"} {
		if !strings.Contains(help, scheme) {
			t.Errorf("MATTERFILE_KEY_URI help does not list %s", scheme)
		}
	}
}

// The bound per tenant defaults to half the concurrency, never below one,
// and may be set on its own.
func TestTenantMaxInFlight(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want int
	}{
		{map[string]string{"MATTERFILE_CONCURRENCY": "1"}, 1},
		{map[string]string{"MATTERFILE_CONCURRENCY": "3"}, 1},
		{map[string]string{"MATTERFILE_CONCURRENCY": "16"}, 8},
		{map[string]string{"MATTERFILE_CONCURRENCY": "16", "MATTERFILE_TENANT_MAX_INFLIGHT": "3"}, 3},
		{map[string]string{"MATTERFILE_TENANT_MAX_INFLIGHT": "40"}, 40},
	} {
		c, err := FromEnv(env(tc.env))
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if c.TenantMaxInFlight != tc.want {
			t.Errorf("%v: bound %d, want %d", tc.env, c.TenantMaxInFlight, tc.want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90d": 90 * 24 * time.Hour, "12w": 84 * 24 * time.Hour, "7y": 7 * 365 * 24 * time.Hour,
		"36h": 36 * time.Hour, "1s": time.Second, " 2d ": 48 * time.Hour,
	} {
		got, err := ParsePeriod(in)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "x9d", "-1d", "9000000y", "90 days", "1.5d"} {
		if _, err := ParsePeriod(in); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", in)
		}
	}
	_, err := FromEnv(func(k string) string {
		return map[string]string{"MATTERFILE_DATA_DIR": t.TempDir(), "MATTERFILE_TERMINATION_PERIOD": "soon"}[k]
	})
	if err == nil || !strings.Contains(err.Error(), "MATTERFILE_TERMINATION_PERIOD") {
		t.Errorf("a wrong period should fail naming the setting, got %v", err)
	}
}

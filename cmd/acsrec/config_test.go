package main

import (
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/jobs"
)

const testCS = "endpoint=https://contoso.communication.azure.com/;accesskey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLoadServe(t *testing.T) {
	cfg, err := Load([]string{"serve", "--out", "/data/rec", "--parallel", "8"}, envOf(
		"ACSREC_CONNECTION_STRING", testCS, "ACSREC_ALLOW_HOSTS", " *.asm.skype.com, storage.example ",
		"ACSREC_SECRET", "s3", "ACSREC_LISTEN", ":9000", "ACSREC_PARALLEL", "2", "ACSREC_LOG_FORMAT", "json"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Command != "serve" || cfg.Out != "/data/rec" || cfg.Parallel != 8 || cfg.Listen != ":9000" || cfg.Secret != "s3" ||
		cfg.LogFormat != "json" || cfg.State != filepath.Join("/data/rec", ".acsrec.db") || cfg.Progress != "auto" ||
		strings.Join(cfg.AllowHosts, "|") != "*.asm.skype.com|storage.example" ||
		cfg.ConnectionString.Endpoint.Host != "contoso.communication.azure.com" {
		t.Errorf("%+v", cfg)
	}
	cfg, err = Load([]string{"serve"}, envOf("ACSREC_CONNECTION_STRING", testCS), io.Discard)
	if err != nil || cfg.Listen != "127.0.0.1:8080" || cfg.Out != "recordings" || cfg.Parallel != 4 || cfg.Retention != jobs.DefaultRetention {
		t.Errorf("defaults %+v %v", cfg, err)
	}
	// Secure by default: with no authentication method, a secret is generated.
	if len(cfg.Secret) != 32 || !cfg.SecretGenerated || cfg.InsecureNoAuth {
		t.Errorf("default authentication: secret %q generated %v", cfg.Secret, cfg.SecretGenerated)
	}
	again, _ := Load([]string{"serve"}, envOf("ACSREC_CONNECTION_STRING", testCS), io.Discard)
	if again.Secret == cfg.Secret {
		t.Error("two runs generated the same secret")
	}
	cfg, err = Load([]string{"serve", "--insecure-no-auth", "true"}, envOf("ACSREC_CONNECTION_STRING", testCS), io.Discard)
	if err != nil || cfg.Secret != "" || !cfg.InsecureNoAuth {
		t.Errorf("opted out: %+v %v", cfg, err)
	}
	cfg, err = Load([]string{"serve", "--oidc-issuer", "https://login.microsoftonline.com/t/v2.0", "--oidc-audience", "api://x",
		"--callback-audience", "guid"}, envOf("ACSREC_CONNECTION_STRING", testCS), io.Discard)
	if err != nil || cfg.Secret != "" || cfg.CallbackIssuer != "https://acscallautomation.communication.azure.com" {
		t.Errorf("token auth: %+v %v", cfg, err)
	}
	if _, err := Load([]string{"serve", "--oidc-issuer", "https://x"}, envOf("ACSREC_CONNECTION_STRING", testCS), io.Discard); err == nil {
		t.Error("--oidc-issuer without --oidc-audience was accepted")
	}
}

func TestLoadJobRetention(t *testing.T) {
	for _, c := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{{"48h", 48 * time.Hour, true}, {"0", -1, true}, {"-1h", 0, false}, {"soon", 0, false}} {
		cfg, err := Load([]string{"serve"}, envOf("ACSREC_CONNECTION_STRING", testCS, "ACSREC_JOB_RETENTION", c.v), io.Discard)
		if (err == nil) != c.ok || c.ok && cfg.Retention != c.want || !c.ok && !strings.Contains(err.Error(), "--job-retention") {
			t.Errorf("%q: retention %v, err %v", c.v, cfg.Retention, err)
		}
	}
}

func TestLoadDownloadAndSign(t *testing.T) {
	cfg, err := Load([]string{"download", "--connection-string", testCS, "--state", "/tmp/s.db", "doc1", "https://h/v1/objects/doc2/content/audio"}, envOf(), io.Discard)
	if err != nil || len(cfg.Args) != 2 || cfg.State != "/tmp/s.db" {
		t.Fatalf("%+v %v", cfg, err)
	}
	cfg, err = Load([]string{"sign", "--method", "post", "--date", "Tue, 01 Jul 2025 12:34:56 GMT", "--legacy-date=true", "https://x/y"},
		envOf("ACSREC_CONNECTION_STRING", testCS), io.Discard)
	if err != nil || cfg.Method != "POST" || !cfg.DateHeader || !cfg.Date.Equal(time.Date(2025, 7, 1, 12, 34, 56, 0, time.UTC)) {
		t.Fatalf("%+v %v", cfg, err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  []string
		want string
	}{
		{nil, nil, "no command"},
		{[]string{"fetch"}, nil, `unknown command "fetch"`},
		{[]string{"serve"}, nil, "--connection-string: required"},
		{[]string{"serve", "--connection-string", "endpoint=https://a;accesskey=!!"}, nil, "not valid base64"},
		{[]string{"serve", "--parallel", "0"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "--parallel"},
		{[]string{"serve", "--listen", "8080"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "--listen"},
		{[]string{"serve", "extra"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "no arguments"},
		{[]string{"serve", "--log-format", "xml"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "--log-format"},
		{[]string{"serve", "--progress", "maybe"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "--progress"},
		{[]string{"serve", "--verbose=very"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "--verbose"},
		{[]string{"download"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "needs document ids"},
		{[]string{"sign"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "one URL"},
		{[]string{"sign", "--date", "yesterday", "https://x"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "--date"},
		{[]string{"serve", "--nope"}, []string{"ACSREC_CONNECTION_STRING", testCS}, "not defined"},
	} {
		_, err := Load(c.args, envOf(c.env...), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "AAECAwQFBgcI") {
			t.Errorf("%v: error quotes the key", c.args)
		}
	}
	if _, err := Load([]string{"--help"}, envOf(), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
}

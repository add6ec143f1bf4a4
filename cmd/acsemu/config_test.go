package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadServeDefaultsAreZeroConfig(t *testing.T) {
	cfg, err := LoadServe(nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != emulator.DefaultAddr || string(cfg.AccessKey) != string(emulator.DevAccessKey) ||
		cfg.MaxClockSkew != 15*time.Minute || cfg.TLS || cfg.Seed != 0 || cfg.StorageValidators { // seed 0: random, printed at start
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestLoadServeFlagsOverrideEnvironment(t *testing.T) {
	env := envOf(map[string]string{"ACSEMU_ADDR": "127.0.0.1:1", "ACSEMU_SEED": "7", "ACSEMU_TLS": "true",
		"ACSEMU_TLS_HOSTS": "us-storage.asm.skype.com, other.local", "ACSEMU_MAX_CLOCK_SKEW": "0", "ACSEMU_STORAGE_VALIDATORS": "true"})
	cfg, err := LoadServe([]string{"--addr", "127.0.0.1:2", "--access-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:2" || cfg.Seed != 7 || !cfg.TLS || len(cfg.TLSHosts) != 2 || cfg.TLSHosts[1] != "other.local" ||
		cfg.MaxClockSkew != 0 || len(cfg.AccessKey) != 32 || !cfg.StorageValidators || !cfg.Options().StorageValidators {
		t.Fatalf("cfg: %+v", cfg)
	}
	if opts := cfg.Options(); opts.MaxClockSkew >= 0 {
		t.Fatalf("a zero skew must disable the check, got %v", opts.MaxClockSkew)
	}
}

func TestLoadServeNamesEveryBadSetting(t *testing.T) {
	_, err := LoadServe([]string{"--access-key", "not base64!", "--max-clock-skew", "soon", "--seed", "x", "--tls=maybe", "--event-time-scale", "-1", "--malformed-range", "sometimes"}, envOf(nil), io.Discard)
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, name := range []string{"--access-key", "--max-clock-skew", "--seed", "--tls", "--event-time-scale", "--malformed-range"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestLoadServeReadsTheBounds(t *testing.T) {
	env := envOf(map[string]string{"ACSEMU_JOURNAL_MAX_BYTES": "8MiB", "ACSEMU_WRITE_IDLE_TIMEOUT": "0"})
	cfg, err := LoadServe([]string{"--max-recordings", "5", "--max-stored-bytes", "2GB", "--event-queue-max-bytes", "4096"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts := cfg.Options()
	if opts.JournalMaxBytes != 8<<20 || opts.MaxRecordings != 5 || opts.MaxStoredBytes != 2e9 || opts.EventQueueMaxBytes != 4096 ||
		opts.MaxUploadedBytes != 2<<30 || opts.WriteIdleTimeout >= 0 {
		t.Fatalf("options: %+v", opts)
	}
	_, err = LoadServe([]string{"--journal-max-bytes", "lots", "--max-recordings", "0", "--max-stored-bytes", "99999999999TiB", "--write-idle-timeout", "-1s"}, envOf(nil), io.Discard)
	for _, name := range []string{"--journal-max-bytes", "--max-recordings", "--max-stored-bytes", "--write-idle-timeout"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// Booleans are real flags: --tls alone turns TLS on without taking the next
// argument, --tls=false turns an environment default off.
func TestLoadServeBooleans(t *testing.T) {
	cfg, err := LoadServe([]string{"--tls", "--seed", "7", "--strict-auth", "--verbose"}, envOf(nil), io.Discard)
	if err != nil || !cfg.TLS || cfg.Seed != 7 || !cfg.StrictAuth || !cfg.Verbose {
		t.Fatalf("%+v %v", cfg, err)
	}
	cfg, err = LoadServe([]string{"--tls=false"}, envOf(map[string]string{"ACSEMU_TLS": "true"}), io.Discard)
	if err != nil || cfg.TLS {
		t.Fatalf("--tls=false over ACSEMU_TLS=true: %+v %v", cfg, err)
	}
}

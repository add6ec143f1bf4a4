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
	_, err := LoadServe([]string{"--access-key", "not base64!", "--max-clock-skew", "soon", "--seed", "x", "--tls", "maybe", "--event-time-scale", "-1", "--malformed-range", "sometimes"}, envOf(nil), io.Discard)
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, name := range []string{"--access-key", "--max-clock-skew", "--seed", "--tls", "--event-time-scale", "--malformed-range"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

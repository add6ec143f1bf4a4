package acsemu_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/acsemu"
)

// Bad options fail Run before any container is created, saying which.
func TestOfflineBadOptions(t *testing.T) {
	for name, opt := range map[string]acsemu.Option{
		"WithEventTimeScale": acsemu.WithEventTimeScale(0),
		"WithAccessKey":      acsemu.WithAccessKey(nil),
		"WithTLS":            acsemu.WithTLS("a,b"),
		"WithFaultRulesFile": acsemu.WithFaultRulesFile("/no/such/file.json"),
		"WithExtraHost":      acsemu.WithExtraHost("", "127.0.0.1"),
	} {
		ctr, err := acsemu.Run(context.Background(), "image-never-used", opt)
		if err == nil || ctr != nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: Run = %v, %v", name, ctr, err)
		}
	}
}

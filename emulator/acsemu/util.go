package acsemu

import (
	"encoding/base64"
	"net/netip"
)

func encodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

package signer

import (
	"fmt"
	"strings"
	"testing"
)

const testKeyB64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func TestParseConnectionString(t *testing.T) {
	for _, s := range []string{
		"endpoint=https://contoso.communication.azure.com/;accesskey=" + testKeyB64,
		"Endpoint=https://contoso.communication.azure.com/;AccessKey=" + testKeyB64 + ";",
		" ENDPOINT = https://contoso.communication.azure.com/ ; accessKey=" + testKeyB64 + " ",
		"accesskey=" + testKeyB64 + ";endpoint=https://contoso.communication.azure.com/",
	} {
		cs, err := ParseConnectionString(s)
		if err != nil {
			t.Errorf("ParseConnectionString(%q): %v", s, err)
			continue
		}
		if cs.Endpoint.Host != "contoso.communication.azure.com" || len(cs.AccessKey) != 32 || cs.AccessKey[31] != 0x1f {
			t.Errorf("ParseConnectionString(%q) = %v %x", s, cs.Endpoint, cs.AccessKey)
		}
	}
	cs, err := ParseConnectionString("endpoint=http://127.0.0.1:10000;accesskey=" + testKeyB64)
	if err != nil || cs.Endpoint.Host != "127.0.0.1:10000" {
		t.Errorf("emulator endpoint: %v, %v", cs.Endpoint, err)
	}
}

func TestParseConnectionStringErrors(t *testing.T) {
	const secret = "c2VjcmV0c2VjcmV0"
	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{" ; ", "no endpoint="},
		{"accesskey=" + testKeyB64, "no endpoint="},
		{"endpoint=https://a.example", "no accesskey="},
		{"endpoint=https://a.example;endpoint=https://b.example;accesskey=" + testKeyB64, "endpoint twice"},
		{"endpoint=https://a.example;accesskey=" + testKeyB64 + ";accesskey=" + testKeyB64, "accesskey twice"},
		{"endpoint=https://a.example;acesskey=" + secret, `unknown key "acesskey"`},
		{"endpoint=https://a.example;" + secret, "segment 2 has no '='"},
		{"endpoint=;accesskey=" + testKeyB64, "endpoint is empty"},
		{"endpoint=contoso.example;accesskey=" + testKeyB64, "must start with https://"},
		{"endpoint=ftp://a.example;accesskey=" + testKeyB64, "must start with https://"},
		{"endpoint=https://;accesskey=" + testKeyB64, "has no host"},
		{"endpoint=https://a.example/?x=1;accesskey=" + testKeyB64, "query or fragment"},
		{"endpoint=https://u:p@a.example/;accesskey=" + testKeyB64, "user information"},
		{"endpoint=https://a b.example/;accesskey=" + testKeyB64, "not a URL"},
		{"endpoint=https://a.example;accesskey=", "accesskey: access key is empty"},
		{"endpoint=https://a.example;accesskey=" + secret + "!!", "accesskey: access key is not valid base64"},
	} {
		_, err := ParseConnectionString(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseConnectionString(%q) error %v, want %q", c.in, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}

func TestConnectionStringRedacts(t *testing.T) {
	cs, _ := ParseConnectionString("endpoint=https://a.example;accesskey=" + testKeyB64)
	for _, s := range []string{cs.String(), fmt.Sprint(cs), fmt.Sprintf("%+v", cs)} {
		if strings.Contains(s, "AAEC") || strings.Contains(s, "[0 1 2") || !strings.Contains(s, "https://a.example") {
			t.Errorf("printed as %q", s)
		}
	}
}

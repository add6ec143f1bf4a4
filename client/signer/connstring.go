package signer

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/acsemu/acsemu/internal/hmacsig"
)

// ConnectionString is a parsed ACS connection string.
type ConnectionString struct {
	Endpoint  *url.URL
	AccessKey []byte
}

// String prints the connection string with the key redacted, so logging one
// by accident leaks nothing.
func (c ConnectionString) String() string {
	ep := "<nil>"
	if c.Endpoint != nil {
		ep = c.Endpoint.String()
	}
	return "endpoint=" + ep + ";accesskey=<redacted>"
}

// ParseConnectionString parses "endpoint=https://...;accesskey=BASE64". Keys
// are case-insensitive, empty segments (a trailing ';') are ignored, and the
// key is checked to be base64 here rather than at the first request. Errors
// never quote the access key.
func ParseConnectionString(s string) (ConnectionString, error) {
	if strings.TrimSpace(s) == "" {
		return ConnectionString{}, errors.New("connection string is empty; want endpoint=https://<host>;accesskey=<base64>")
	}
	var endpoint, key string
	var haveEndpoint, haveKey bool
	for i, seg := range strings.Split(s, ";") {
		seg = strings.TrimSpace(seg)
		if seg == "" {
			continue
		}
		name, value, ok := strings.Cut(seg, "=")
		if !ok {
			// The segment is not quoted: it may be a mangled key.
			return ConnectionString{}, fmt.Errorf("connection string segment %d has no '='; want endpoint=https://<host>;accesskey=<base64>", i+1)
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "endpoint":
			if haveEndpoint {
				return ConnectionString{}, errors.New("connection string has endpoint twice")
			}
			endpoint, haveEndpoint = strings.TrimSpace(value), true
		case "accesskey":
			if haveKey {
				return ConnectionString{}, errors.New("connection string has accesskey twice")
			}
			key, haveKey = value, true
		default:
			return ConnectionString{}, fmt.Errorf("connection string has unknown key %s; want endpoint and accesskey",
				hmacsig.Quote(strings.TrimSpace(name), 32))
		}
	}
	switch {
	case !haveEndpoint:
		return ConnectionString{}, errors.New("connection string has no endpoint=")
	case !haveKey:
		return ConnectionString{}, errors.New("connection string has no accesskey=")
	}
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return ConnectionString{}, err
	}
	k, err := hmacsig.DecodeKey(key)
	if err != nil {
		return ConnectionString{}, fmt.Errorf("connection string accesskey: %w", err)
	}
	return ConnectionString{Endpoint: u, AccessKey: k}, nil
}

func parseEndpoint(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("connection string endpoint is empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("connection string endpoint %s is not a URL: %w", hmacsig.Quote(s, 100), err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("connection string endpoint %s must start with https:// (or http:// for the emulator)", hmacsig.Quote(s, 100))
	case u.Host == "":
		return nil, fmt.Errorf("connection string endpoint %s has no host", hmacsig.Quote(s, 100))
	case u.User != nil:
		return nil, fmt.Errorf("connection string endpoint %q must not carry user information", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("connection string endpoint %s must not have a query or fragment", hmacsig.Quote(s, 100))
	}
	return u, nil
}

package signer_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
)

// printer stands in for the network: it prints what would be sent.
type printer struct{}

func (printer) RoundTrip(r *http.Request) (*http.Response, error) {
	fmt.Println("Host:", r.Host)
	for _, h := range []string{"X-Ms-Date", "X-Ms-Content-Sha256", "Authorization"} {
		fmt.Printf("%s: %s\n", h, r.Header.Get(h))
	}
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
}

func Example() {
	cs, err := signer.ParseConnectionString(
		"endpoint=https://contoso.communication.azure.com:8443/;accesskey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		fmt.Println(err)
		return
	}
	// A pinned clock makes the signature reproducible; real use leaves Clock nil.
	pinned := clock.NewManual(time.Date(2025, 7, 1, 12, 34, 56, 0, time.UTC))
	client := signer.New(cs, signer.WithClock(pinned), signer.WithBase(printer{})).Client()

	resp, err := client.Get("https://contoso.communication.azure.com:8443/calling/recordings/rec-123?api-version=2025-06-15")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	// Output:
	// Host: contoso.communication.azure.com:8443
	// X-Ms-Date: Tue, 01 Jul 2025 12:34:56 GMT
	// X-Ms-Content-Sha256: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
	// Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZk=
}

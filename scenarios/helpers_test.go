package scenarios_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/signer"
)

// signedClient signs like the documented scheme, or with the given options.
func signedClient(srv *emu, opts ...signer.Option) *http.Client {
	GinkgoHelper()
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	Expect(err).NotTo(HaveOccurred())
	return signer.New(cs, opts...).Client()
}

// fetch GETs url with optional headers and returns the response and its body.
func fetch(c *http.Client, url string, header http.Header) (*http.Response, []byte) {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	Expect(err).NotTo(HaveOccurred())
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp, body
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

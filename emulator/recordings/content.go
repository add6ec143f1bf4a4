package recordings

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// ReaderAtSize is byte-addressable content of a known size.
type ReaderAtSize interface {
	io.ReaderAt
	Size() int64
}

// Content is one servable file (a chunk's media or its metadata) with the
// validators HTTP needs. It never changes once made: an upload makes a new one.
type Content struct {
	Data         ReaderAtSize
	MIMEType     string
	ETag         string
	LastModified time.Time

	hashOnce sync.Once
	hash     string
	hashErr  error
	hashed   atomic.Bool // hash is set (a live view shows it without paying for it)
}

func newContent(data ReaderAtSize, mime, etagSeed string, modified time.Time) *Content {
	sum := sha256.Sum256([]byte(etagSeed))
	return &Content{Data: data, MIMEType: mime, ETag: `"0x` + hex.EncodeToString(sum[:8]) + `"`, LastModified: modified.UTC().Truncate(time.Second)}
}

func bytesContent(b []byte, mime, etagSeed string, modified time.Time) *Content {
	return newContent(bytes.NewReader(b), mime, etagSeed, modified)
}

// Size is the content length in bytes.
func (c *Content) Size() int64 { return c.Data.Size() }

// SHA256 returns the hex SHA-256 of the content, computed once on first use
// (hashing a 1.5 GB synthetic chunk takes a second or two, so it is lazy).
func (c *Content) SHA256() (string, error) {
	c.hashOnce.Do(func() {
		h := sha256.New()
		buf := make([]byte, 1<<20)
		if _, err := io.CopyBuffer(h, io.NewSectionReader(c.Data, 0, c.Size()), buf); err != nil {
			c.hashErr = fmt.Errorf("hash content: %w", err)
			return
		}
		c.hash = hex.EncodeToString(h.Sum(nil))
		c.hashed.Store(true)
	})
	return c.hash, c.hashErr
}

// KnownSHA256 returns the hash if SHA256 has already computed it, without
// computing it: a view refreshed while a download runs must not hash 1.5 GB.
func (c *Content) KnownSHA256() (string, bool) {
	if !c.hashed.Load() {
		return "", false
	}
	return c.hash, true
}

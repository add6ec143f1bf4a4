package recordings

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
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
	})
	return c.hash, c.hashErr
}

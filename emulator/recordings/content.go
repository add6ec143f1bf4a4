package recordings

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
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

	hash hashState
	// uploaded marks bytes a user uploaded: they live in memory.
	uploaded bool
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

// SHA256 returns the hex SHA-256 of the content, computing it here unless it
// is known or being computed (then it waits). The control plane uses a
// Hasher instead, to answer without waiting.
func (c *Content) SHA256() (string, error) {
	done, mine := claim(c)
	if mine {
		c.finishHash(hashContent(context.Background(), c))
	}
	<-done
	return c.hash.sum, c.hash.err
}

package recordings

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
)

// IDs makes the identifiers of recordings and documents from a seeded source,
// so the same seed and the same sequence of calls give the same ids.
type IDs struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

// NewIDs returns a generator seeded with seed.
func NewIDs(seed int64) *IDs {
	return &IDs{rnd: rand.New(rand.NewPCG(uint64(seed), 0x61637365_6d750001))}
}

func (g *IDs) bytes(n int) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rnd.UintN(256))
	}
	return b
}

// Int64 returns a seeded non-negative number (used to derive media seeds).
func (g *IDs) Int64() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rnd.Int64()
}

// UUID returns a random (version 4 shaped) UUID string.
func (g *IDs) UUID() string {
	b := g.bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// DocumentID returns an id shaped like the real storage's ("0-eus-d12-801b...").
func (g *IDs) DocumentID() string {
	b := g.bytes(17)
	return fmt.Sprintf("0-eus-d%d-%s", 1+int(b[0])%20, hex.EncodeToString(b[1:]))
}

// Bytes returns n seeded random bytes.
func (g *IDs) Bytes(n int) []byte { return g.bytes(n) }

// RecordingID returns an id shaped like the real one: unpadded base64url of
// {"PlatformEndpointId":<a new UUID>,"ResourceSpecificId":<a new UUID>}.
func (g *IDs) RecordingID() string { return g.RecordingIDFor(g.UUID()) }

// RecordingIDFor returns a recording id of the call connection
// platformEndpointID, as the real service encodes it (recorded): unpadded
// base64url of {"PlatformEndpointId":...,"ResourceSpecificId":<a new UUID>}.
func (g *IDs) RecordingIDFor(platformEndpointID string) string {
	js, _ := json.Marshal(struct {
		PlatformEndpointID string `json:"PlatformEndpointId"`
		ResourceSpecificID string `json:"ResourceSpecificId"`
	}{platformEndpointID, g.UUID()})
	return base64.RawURLEncoding.EncodeToString(js)
}

// ServerCallID returns an id shaped like a real serverCallId (base64 of a conversation URL).
func (g *IDs) ServerCallID() string {
	u := "https://conv-use-01.conv.skype.com/conv/" + hex.EncodeToString(g.bytes(12)) + "?i=10&e=" + hex.EncodeToString(g.bytes(4))
	return base64.RawURLEncoding.EncodeToString([]byte(u))
}

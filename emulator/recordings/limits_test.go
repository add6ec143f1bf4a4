package recordings

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

func is507(err error) bool {
	var we *wire.Error
	return errors.As(err, &we) && we.Status == http.StatusInsufficientStorage && we.Code == "InsufficientStorage"
}

func TestTheStoreRefusesRecordingsBeyondItsBounds(t *testing.T) {
	s := newStore()
	minute := Spec{Duration: time.Minute} // 16 kHz mono WAV: 1.92 MB
	one, err := s.Create(minute)
	if err != nil {
		t.Fatal(err)
	}
	size := one.Documents[0].Media().Size()
	s.SetLimits(Limits{Recordings: 3, StoredBytes: 2*size + size/2})
	if _, err := s.Create(minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(minute); !is507(err) {
		t.Fatalf("a third minute over the byte bound: %v, want 507", err)
	}
	if !s.Delete(one.Documents[0].ID) {
		t.Fatal("delete")
	}
	if _, err := s.Create(minute); err != nil {
		t.Fatalf("deleting a document frees its bytes: %v", err)
	}
	if _, err := s.Create(Spec{Duration: time.Second}); !is507(err) {
		t.Fatalf("a fourth recording over the count bound: %v, want 507", err)
	}
	if u := s.Usage(); u.Recordings != 3 || u.StoredBytes != 2*size {
		t.Fatalf("usage %+v", u)
	}
	s.Reset()
	if u := s.Usage(); u != (Usage{}) {
		t.Fatalf("reset left %+v", u)
	}
}

func TestUploadsCountAgainstTheUploadBound(t *testing.T) {
	s := newStore()
	s.SetLimits(Limits{UploadedBytes: 1000})
	if _, err := s.Upload("a", make([]byte, 600), "audio/wav", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upload("b", make([]byte, 600), "audio/wav", ""); !is507(err) {
		t.Fatalf("1,200 uploaded bytes: %v, want 507", err)
	}
	if _, err := s.Upload("a", make([]byte, 900), "audio/wav", ""); err != nil {
		t.Fatalf("replacing an upload counts the difference: %v", err)
	}
	if u := s.Usage(); u.UploadedBytes != 900 || u.StoredBytes != 900 {
		t.Fatalf("usage %+v", u)
	}
}

func TestHashesAreComputedLazilyInTheBackground(t *testing.T) {
	s := newStore()
	rec, err := s.Create(Spec{Duration: 2 * time.Minute}) // 3.8 MB: over the inline limit
	if err != nil {
		t.Fatal(err)
	}
	h := NewHasher(1)
	defer h.Close()
	media := rec.Documents[0].Media()
	sum, pending, err := h.Status(media)
	if err != nil || sum != "" || !pending {
		t.Fatalf("a large content's hash at once: %q pending %v %v", sum, pending, err)
	}
	if sum, pending, err := h.Status(rec.Documents[0].Metadata()); err != nil || pending || len(sum) != 64 {
		t.Fatalf("the small metadata is hashed on the spot: %q pending %v %v", sum, pending, err)
	}
	got, err := h.Wait(context.Background(), media)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hashContent(context.Background(), media)
	if got != want {
		t.Fatalf("hash %s, want %s", got, want)
	}
	if sum, pending, _ := h.Status(media); pending || sum != want {
		t.Fatal("the hash is not cached")
	}
	// A closed hasher fails what it had not finished, instead of leaking it.
	other, err := s.Create(Spec{Duration: 2 * time.Minute, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	if _, err := h.Wait(context.Background(), other.Documents[0].Media()); !errors.Is(err, context.Canceled) {
		t.Fatalf("after Close: %v", err)
	}
}

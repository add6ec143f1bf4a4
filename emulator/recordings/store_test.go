package recordings

import (
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/wire"
)

var start = time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)

func newStore() *Store { return NewStore(clock.NewManual(start), 1, "res", 1<<20) }

func metadataOf(t *testing.T, d *Document) Metadata {
	t.Helper()
	c := d.Metadata()
	raw, err := io.ReadAll(io.NewSectionReader(c.Data, 0, c.Size()))
	if err != nil {
		t.Fatal(err)
	}
	var md Metadata
	if err := json.Unmarshal(raw, &md); err != nil {
		t.Fatal(err)
	}
	return md
}

func TestChunksSplitUnderTheLimitAndPausesLandInTheirChunk(t *testing.T) {
	s := newStore()
	rec, err := s.Create(Spec{Duration: 90 * time.Second, ChannelType: ChannelUnmixed, Participants: []string{"a", "b", "c"},
		ChunkSizeLimit: 3_000_000, StartTime: start, Pauses: []Pause{{At: 45 * time.Second, Duration: 10 * time.Minute}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Documents) != 3 || rec.Duration != 90*time.Second {
		t.Fatalf("%d chunks, %s", len(rec.Documents), rec.Duration)
	}
	var pausesSeen int
	for i, d := range rec.Documents {
		if d.Media().Size() > 3_000_000 {
			t.Errorf("chunk %d is %d bytes", i, d.Media().Size())
		}
		md := metadataOf(t, d)
		if md.ChunkIndex != i || md.ChunkDocumentID != d.ID || md.RecordingInfo.AudioConfiguration.Channels != 3 {
			t.Errorf("chunk %d metadata %+v", i, md)
		}
		for _, p := range md.PauseResumeIntervals {
			pausesSeen++
			if !p.StartTime.Equal(start.Add(45*time.Second)) || p.Duration != 600_000 {
				t.Errorf("pause %+v", p)
			}
			if md.ChunkStartTime.After(p.StartTime) || md.ChunkStartTime.Add(time.Duration(md.ChunkDuration)*time.Millisecond).Before(p.StartTime) {
				t.Errorf("pause at %v outside chunk %d starting %v", p.StartTime, i, md.ChunkStartTime)
			}
		}
		if want := start.Add(rec.Documents[0].Duration + rec.Documents[1].Duration + 10*time.Minute); i == 2 && !md.ChunkStartTime.Equal(want) {
			t.Errorf("last chunk starts at %v: the pause must shift wall time", md.ChunkStartTime)
		}
	}
	if pausesSeen != 1 {
		t.Fatalf("pause listed %d times", pausesSeen)
	}
	data := rec.EventData("https://storage.example")
	if len(data.RecordingStorageInfo.RecordingChunks) != 3 || data.RecordingDurationMs != 90_000 || data.RecordingChannelType != "Unmixed" ||
		data.RecordingStorageInfo.RecordingChunks[0].Content != "https://storage.example/v1/objects/"+rec.Documents[0].ID+"/content/audiowavmultichannel" {
		t.Fatalf("event data %+v", data)
	}
}

func TestSpecErrorsNameTheField(t *testing.T) {
	cases := map[string]Spec{
		"format":         {Duration: time.Second, Format: "ogg"},
		"channelType":    {Duration: time.Second, Format: "mp3", ChannelType: "unmixed"},
		"duration":       {Duration: 0},
		"chunkSizeLimit": {Duration: time.Second, ChunkSizeLimit: 10},
		"pauses[0]":      {Duration: time.Second, Pauses: []Pause{{At: 2 * time.Second, Duration: time.Second}}},
		"participants":   {Duration: time.Second, Participants: make([]string, 17)},
	}
	for field, spec := range cases {
		_, err := newStore().Create(spec)
		var we *wire.Error
		if !errors.As(err, &we) || we.Status != 400 || we.Target != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func TestSameSeedSameIDsAndBytes(t *testing.T) {
	a, _ := newStore().Create(Spec{Duration: 2 * time.Second, Format: FormatMP3})
	b, _ := newStore().Create(Spec{Duration: 2 * time.Second, Format: FormatMP3})
	ha, _ := a.Documents[0].Media().SHA256()
	hb, _ := b.Documents[0].Media().SHA256()
	if a.ID != b.ID || a.Documents[0].ID != b.Documents[0].ID || ha != hb {
		t.Fatal("the same seed must give the same recording")
	}
}

func TestUploadReplacesMediaAndRefusesBadIDs(t *testing.T) {
	s := newStore()
	d, err := s.Upload("my-doc", []byte("RIFF....WAVE"), "", "audio")
	if err != nil {
		t.Fatal(err)
	}
	etag := d.Media().ETag
	if _, err := s.Upload("my-doc", []byte("other"), "audio/wav", ""); err != nil {
		t.Fatal(err)
	}
	if d.Media().ETag == etag || d.Media().Size() != 5 {
		t.Fatal("an upload must change the ETag and the bytes")
	}
	for _, id := range []string{"", "..", "../x", "a/b", string(make([]byte, 200))} {
		if _, err := s.Upload(id, nil, "", ""); err == nil {
			t.Errorf("id %q accepted", id)
		}
	}
	if _, err := s.Upload("big", make([]byte, 2<<20), "", ""); err == nil {
		t.Error("upload over the limit accepted")
	}
}

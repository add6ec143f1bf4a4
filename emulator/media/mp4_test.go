package media

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/abema/go-mp4"
)

// mp4Walk is what a box-by-box parse of a fragmented MP4 found.
type mp4Walk struct {
	top        []string          // top-level box types in order
	timescale  map[uint32]uint32 // track ID -> mdhd timescale
	movieScale uint32
	mvhdDur    uint64
	mehdDur    uint64
	frags      []mp4Frag
	mdats      []mp4.BoxInfo
}

type mp4Frag struct {
	offset uint64 // of the moof
	seq    uint32
	trafs  []mp4Traf
}

type mp4Traf struct {
	tfhd mp4.Tfhd
	tfdt uint64
	trun mp4.Trun
}

func walkMP4(t *testing.T, data []byte) *mp4Walk {
	t.Helper()
	w := &mp4Walk{timescale: map[uint32]uint32{}}
	var track uint32
	_, err := mp4.ReadBoxStructure(bytes.NewReader(data), func(h *mp4.ReadHandle) (any, error) {
		typ := h.BoxInfo.Type.String()
		if len(h.Path) == 1 {
			w.top = append(w.top, typ)
		}
		if typ == "mdat" {
			w.mdats = append(w.mdats, h.BoxInfo)
			return nil, nil
		}
		if typ == "moof" {
			w.frags = append(w.frags, mp4Frag{offset: h.BoxInfo.Offset})
		}
		if !h.BoxInfo.IsSupportedType() {
			t.Errorf("unsupported box %s", typ)
			return nil, nil
		}
		box, _, err := h.ReadPayload()
		if err != nil {
			return nil, err
		}
		frag := func() *mp4Frag { return &w.frags[len(w.frags)-1] }
		traf := func() *mp4Traf { f := frag(); return &f.trafs[len(f.trafs)-1] }
		switch b := box.(type) {
		case *mp4.Mvhd:
			w.movieScale, w.mvhdDur = b.Timescale, b.DurationV1
		case *mp4.Mehd:
			w.mehdDur = b.GetFragmentDuration()
		case *mp4.Tkhd:
			track = b.TrackID
		case *mp4.Mdhd:
			w.timescale[track] = b.Timescale
		case *mp4.Mfhd:
			frag().seq = b.SequenceNumber
		case *mp4.Traf:
			frag().trafs = append(frag().trafs, mp4Traf{})
		case *mp4.Tfhd:
			traf().tfhd = *b
		case *mp4.Tfdt:
			traf().tfdt = b.GetBaseMediaDecodeTime()
		case *mp4.Trun:
			traf().trun = *b
		}
		return h.Expand()
	})
	if err != nil {
		t.Fatalf("go-mp4: %v", err)
	}
	return w
}

func TestMP4Parses(t *testing.T) {
	for _, c := range specCases() {
		if c.spec.Format != FormatMP4 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			f := mustNew(t, c.spec)
			data := readAll(t, f)
			w := walkMP4(t, data)

			if len(w.top) < 4 || w.top[0] != "ftyp" || w.top[1] != "moov" {
				t.Fatalf("top-level boxes %v", w.top)
			}
			for i, typ := range w.top[2:] {
				if want := []string{"moof", "mdat"}[i%2]; typ != want {
					t.Fatalf("top-level boxes %v: box %d is %s, want %s", w.top, i+2, typ, want)
				}
			}
			wantTracks := 1
			if c.spec.Video {
				wantTracks = 2
			}
			if len(w.timescale) != wantTracks {
				t.Fatalf("%d tracks, want %d", len(w.timescale), wantTracks)
			}

			// Sum the samples of each track, check decode times run on and
			// that every sample lies inside the mdat that follows its moof.
			ticks := map[uint32]uint64{}
			for i, fr := range w.frags {
				if fr.seq != uint32(i+1) {
					t.Errorf("fragment %d has sequence_number %d", i, fr.seq)
				}
				if len(fr.trafs) != wantTracks {
					t.Fatalf("fragment %d has %d trafs", i, len(fr.trafs))
				}
				mdat := w.mdats[i]
				var bytesInMdat uint64
				for _, tr := range fr.trafs {
					id := tr.tfhd.TrackID
					if tr.tfdt != ticks[id] {
						t.Errorf("fragment %d track %d: tfdt %d, want %d", i, id, tr.tfdt, ticks[id])
					}
					n := uint64(tr.trun.SampleCount)
					ticks[id] += n * uint64(tr.tfhd.DefaultSampleDuration)
					start := fr.offset + uint64(tr.trun.DataOffset)
					end := start + n*uint64(tr.tfhd.DefaultSampleSize)
					if tr.trun.CheckFlag(0x200) { // per-sample sizes
						end = start
						for _, e := range tr.trun.Entries {
							end += uint64(e.SampleSize)
						}
					}
					if start < mdat.Offset+mdat.HeaderSize || end > mdat.Offset+mdat.Size {
						t.Fatalf("fragment %d track %d: samples [%d,%d) outside mdat at %d+%d", i, id, start, end, mdat.Offset, mdat.Size)
					}
					bytesInMdat += end - start
					if id == videoTrackID {
						// Each fragment opens with SEI then an IDR picture.
						if data[start+4]&0x1F != 6 || tr.trun.FirstSampleFlags != flagsSync {
							t.Errorf("fragment %d: video starts with NAL type %d", i, data[start+4]&0x1F)
						}
						sei := uint64(binary.BigEndian.Uint32(data[start:]))
						if data[start+8+sei]&0x1F != 5 {
							t.Errorf("fragment %d: second NAL is type %d, want IDR", i, data[start+8+sei]&0x1F)
						}
					}
				}
				if bytesInMdat != mdat.Size-mdat.HeaderSize {
					t.Errorf("fragment %d: %d sample bytes in an mdat of %d", i, bytesInMdat, mdat.Size-mdat.HeaderSize)
				}
			}
			for id, n := range ticks {
				got := time.Duration(n * uint64(time.Second) / uint64(w.timescale[id]))
				if got != f.Duration() {
					t.Errorf("track %d: samples last %v, File.Duration %v", id, got, f.Duration())
				}
			}
			movie := time.Duration(w.mvhdDur * uint64(time.Second) / uint64(w.movieScale))
			if movie != f.Duration() || w.mehdDur != w.mvhdDur {
				t.Errorf("mvhd %v, mehd %d ticks, File.Duration %v", movie, w.mehdDur, f.Duration())
			}

			// The codec configuration, as go-mp4's prober reads it.
			info, err := mp4.Probe(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range info.Tracks {
				switch tr.Codec {
				case mp4.CodecMP4A:
					if tr.MP4A.ChannelCount != uint16(c.spec.Channels) || tr.MP4A.OTI != 0x40 || tr.MP4A.AudOTI != 2 {
						t.Errorf("audio track: %+v", tr.MP4A)
					}
				case mp4.CodecAVC1:
					if tr.AVC.Width != 1280 || tr.AVC.Height != 720 || tr.AVC.Profile != 66 || tr.AVC.LengthSize != 4 {
						t.Errorf("video track: %+v", tr.AVC)
					}
				default:
					t.Errorf("track %d: codec %v", tr.TrackID, tr.Codec)
				}
			}
			a := f.Audio()
			if a != (AudioConfig{SampleRate: 48000, BitRate: 96000, Channels: c.spec.Channels}) {
				t.Errorf("Audio() = %+v", a)
			}
			if v := f.VideoConfig(); c.spec.Video && *v != (VideoConfig{1280, 720, 30, 960000}) {
				t.Errorf("VideoConfig() = %+v", v)
			}
		})
	}
}

package media

import "encoding/binary"

// Minimal ISO BMFF writer: enough boxes for a fragmented MP4 init segment and
// its fragments, written by hand so New knows the offset of every field that
// ReadAt rewrites.

const (
	mp4MovieTimescale = aacRate // exact for AAC frames and 30 fps frames alike
	audioTrackID      = 1
	videoTrackID      = 2
	// sample_flags: sample_depends_on 2 (independent) for AAC frames and IDR
	// pictures; depends_on 1 and is_non_sync_sample for P pictures.
	flagsSync    = 0x02000000
	flagsNonSync = 0x01010000
)

// box appends a box of type typ whose payload body appends, and fixes its size.
func box(b []byte, typ string, body func([]byte) []byte) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	b = append(b, typ...)
	b = body(b)
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start))
	return b
}

// fullBox is a box with version and flags.
func fullBox(b []byte, typ string, version byte, flags uint32, body func([]byte) []byte) []byte {
	return box(b, typ, func(b []byte) []byte {
		b = be32(b, uint32(version)<<24|flags)
		return body(b)
	})
}

func zeros(b []byte, n int) []byte { return append(b, make([]byte, n)...) }

// unity is the identity transformation matrix of mvhd and tkhd.
func unity(b []byte) []byte {
	for _, v := range []uint32{0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000} {
		b = be32(b, v)
	}
	return b
}

type mp4Track struct {
	id          uint32
	handler     string // "soun" or "vide"
	timescale   uint32
	sampleDur   uint32
	sampleBytes uint32
	flags       uint32
	entry       func([]byte) []byte // sample entry (mp4a or avc1)
}

// mp4Init writes ftyp and moov. total is the presentation duration in movie
// timescale units; it goes in mvhd, tkhd and mehd, while the tables of moov
// itself are empty since all samples are in fragments.
func mp4Init(tracks []mp4Track, total uint64, video bool) []byte {
	b := box(nil, "ftyp", func(b []byte) []byte {
		b = append(b, "iso6"...)
		b = be32(b, 0)
		b = append(b, "iso6isommp41"...)
		if video {
			b = append(b, "avc1"...)
		}
		return b
	})
	return box(b, "moov", func(b []byte) []byte {
		b = fullBox(b, "mvhd", 1, 0, func(b []byte) []byte {
			b = zeros(b, 16) // creation, modification time
			b = be32(b, mp4MovieTimescale)
			b = be64(b, total)
			b = be32(b, 0x10000) // rate 1.0
			b = be16(b, 0x100)   // volume 1.0
			b = zeros(b, 10)
			b = unity(b)
			b = zeros(b, 24) // pre_defined
			return be32(b, uint32(len(tracks)+1))
		})
		for _, t := range tracks {
			b = mp4Trak(b, t, total)
		}
		return box(b, "mvex", func(b []byte) []byte {
			b = fullBox(b, "mehd", 1, 0, func(b []byte) []byte { return be64(b, total) })
			for _, t := range tracks {
				b = fullBox(b, "trex", 0, 0, func(b []byte) []byte {
					b = be32(b, t.id)
					b = be32(b, 1) // sample description index
					b = be32(b, t.sampleDur)
					b = be32(b, t.sampleBytes)
					return be32(b, t.flags)
				})
			}
			return b
		})
	})
}

func mp4Trak(b []byte, t mp4Track, total uint64) []byte {
	return box(b, "trak", func(b []byte) []byte {
		b = fullBox(b, "tkhd", 1, 3, func(b []byte) []byte { // enabled, in movie
			b = zeros(b, 16)
			b = be32(b, t.id)
			b = zeros(b, 4)
			b = be64(b, total)
			b = zeros(b, 8)
			b = zeros(b, 4) // layer, alternate_group
			if t.handler == "soun" {
				b = be16(b, 0x100)
			} else {
				b = be16(b, 0)
			}
			b = zeros(b, 2)
			b = unity(b)
			if t.handler == "vide" {
				return be32(be32(b, vidWidth<<16), vidHeight<<16)
			}
			return zeros(b, 8)
		})
		return box(b, "mdia", func(b []byte) []byte {
			b = fullBox(b, "mdhd", 1, 0, func(b []byte) []byte {
				b = zeros(b, 16)
				b = be32(b, t.timescale)
				b = be64(b, 0)      // no samples in moov
				b = be16(b, 0x55C4) // language "und"
				return be16(b, 0)
			})
			b = fullBox(b, "hdlr", 0, 0, func(b []byte) []byte {
				b = zeros(b, 4)
				b = append(b, t.handler...)
				b = zeros(b, 12)
				return append(b, "acsemu\x00"...)
			})
			return box(b, "minf", func(b []byte) []byte {
				if t.handler == "soun" {
					b = fullBox(b, "smhd", 0, 0, func(b []byte) []byte { return zeros(b, 4) })
				} else {
					b = fullBox(b, "vmhd", 0, 1, func(b []byte) []byte { return zeros(b, 8) })
				}
				b = box(b, "dinf", func(b []byte) []byte {
					return fullBox(b, "dref", 0, 0, func(b []byte) []byte {
						b = be32(b, 1)
						return fullBox(b, "url ", 0, 1, func(b []byte) []byte { return b }) // self-contained
					})
				})
				return box(b, "stbl", func(b []byte) []byte {
					b = fullBox(b, "stsd", 0, 0, func(b []byte) []byte { return t.entry(be32(b, 1)) })
					empty := func(b []byte) []byte { return be32(b, 0) }
					b = fullBox(b, "stts", 0, 0, empty)
					b = fullBox(b, "stsc", 0, 0, empty)
					b = fullBox(b, "stsz", 0, 0, func(b []byte) []byte { return be32(be32(b, 0), 0) })
					return fullBox(b, "stco", 0, 0, empty)
				})
			})
		})
	})
}

// mp4aEntry is the AAC sample entry with its ES descriptor.
func mp4aEntry(channels int) func([]byte) []byte {
	return func(b []byte) []byte {
		return box(b, "mp4a", func(b []byte) []byte {
			b = zeros(b, 6)
			b = be16(b, 1) // data_reference_index
			b = zeros(b, 8)
			b = be16(b, uint16(channels))
			b = be16(b, 16) // sample size
			b = zeros(b, 4)
			b = be32(b, aacRate<<16)
			return fullBox(b, "esds", 0, 0, func(b []byte) []byte {
				asc := aacConfig(channels)
				dcd := []byte{0x40, 0x15, 0, 0x06, 0} // MPEG-4 audio, audio stream, 1536-byte buffer
				dcd = be32(dcd, aacBitRate)           // max bitrate
				dcd = be32(dcd, aacBitRate)           // average bitrate
				dcd = append(dcd, 0x05, byte(len(asc)))
				dcd = append(dcd, asc...)
				es := []byte{0, 0, 0} // ES_ID, flags
				es = append(es, 0x04, byte(len(dcd)))
				es = append(es, dcd...)
				es = append(es, 0x06, 1, 0x02) // SLConfigDescriptor: predefined MP4
				b = append(b, 0x03, byte(len(es)))
				return append(b, es...)
			})
		})
	}
}

// avc1Entry is the H.264 sample entry with its decoder configuration.
func avc1Entry(sps, pps []byte) func([]byte) []byte {
	// sps and pps are length-prefixed NAL units; avcC wants them bare.
	sps, pps = sps[4:], pps[4:]
	return func(b []byte) []byte {
		return box(b, "avc1", func(b []byte) []byte {
			b = zeros(b, 6)
			b = be16(b, 1)
			b = zeros(b, 16)
			b = be16(b, vidWidth)
			b = be16(b, vidHeight)
			b = be32(b, 0x480000) // 72 dpi
			b = be32(b, 0x480000)
			b = zeros(b, 4)
			b = be16(b, 1) // frame_count
			name := "acsemu"
			b = append(b, byte(len(name)))
			b = append(b, name...)
			b = zeros(b, 31-len(name))
			b = be16(b, 0x18)   // depth
			b = be16(b, 0xFFFF) // pre_defined -1
			return box(b, "avcC", func(b []byte) []byte {
				b = append(b, 1, sps[1], sps[2], sps[3], 0xFF, 0xE1) // 4-byte lengths, 1 SPS
				b = be16(b, uint16(len(sps)))
				b = append(b, sps...)
				b = append(b, 1)
				b = be16(b, uint16(len(pps)))
				return append(b, pps...)
			})
		})
	}
}

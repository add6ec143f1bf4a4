package media

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Hand-built elementary streams for the MP4 tracks: silent AAC-LC frames and a
// uniform grey H.264 picture. Both are padded to a constant size per frame, so
// every fragment has the same size and the file a realistic constant bitrate
// (a 4-hour audio+video recording crosses the 1.5 GB chunk limit like a real
// one would).

// bitWriter writes MSB-first bit fields, as AAC and H.264 syntax is specified.
type bitWriter struct {
	buf  []byte
	cur  byte
	nbit uint
}

func (w *bitWriter) put(v uint64, n uint) {
	for i := n; i > 0; i-- {
		w.cur = w.cur<<1 | byte(v>>(i-1)&1)
		if w.nbit++; w.nbit == 8 {
			w.buf = append(w.buf, w.cur)
			w.cur, w.nbit = 0, 0
		}
	}
}

// ue writes an Exp-Golomb code (H.264 ue(v)).
func (w *bitWriter) ue(v uint32) {
	x := uint64(v) + 1
	n := uint(bits.Len64(x))
	w.put(0, n-1)
	w.put(x, n)
}

func (w *bitWriter) len() int { return len(w.buf)*8 + int(w.nbit) }

// align pads with zero bits to a byte boundary.
func (w *bitWriter) align() {
	for w.nbit != 0 {
		w.put(0, 1)
	}
}

// trailing writes H.264 rbsp_trailing_bits.
func (w *bitWriter) trailing() []byte {
	w.put(1, 1)
	w.align()
	return w.buf
}

// AAC-LC, 48 kHz, 1024 samples per frame.
const (
	aacRate         = 48000
	aacFrameSamples = 1024
	// 256-byte frames are 96 kbps at 46.875 frames/s, and both the mono and the
	// stereo silent element leave a gap that one fill element closes exactly.
	aacFrameBytes = 256
	aacBitRate    = aacFrameBytes * 8 * aacRate / aacFrameSamples
)

// aacConfig is the AudioSpecificConfig: object type 2 (LC), frequency index 3
// (48 kHz), channel configuration, and three zero flags.
func aacConfig(channels int) []byte {
	w := &bitWriter{}
	w.put(2, 5)
	w.put(3, 4)
	w.put(uint64(channels), 4)
	w.put(0, 3)
	return w.buf
}

// aacFrame returns a raw AAC-LC frame of digital silence, exactly aacFrameBytes
// long. The silent element is the widely used one (max_sfb 1, one band coded
// with the zero codebook, so no spectral data). Fill elements of type EXT_FILL,
// whose payload decoders skip, pad the frame and carry fill() bytes.
func aacFrame(channels int, fill func() byte) ([]byte, error) {
	w := &bitWriter{}
	ics := func(withInfo bool) {
		w.put(100, 8) // global_gain
		if withInfo {
			icsInfo(w)
		}
		w.put(0, 4) // sect_cb: ZERO_HCB
		w.put(1, 5) // sect_len: 1 band
		w.put(0, 3) // pulse, tns, gain control: absent
	}
	if channels == 1 {
		w.put(0, 3) // ID_SCE
		w.put(0, 4) // element_instance_tag
		ics(true)
	} else {
		w.put(1, 3) // ID_CPE
		w.put(0, 4)
		w.put(1, 1) // common_window
		icsInfo(w)
		w.put(1, 2) // ms_mask_present: per band
		w.put(0, 1) // ms_used[0][0]
		ics(false)
		ics(false)
	}
	// Fill elements, then ID_END (3 bits) and byte alignment.
	for {
		room := aacFrameBytes*8 - w.len() - 3
		var cnt int
		switch {
		case room >= 15+8*15: // with esc_count: 15 header bits, up to 269 bytes
			cnt = min(269, (room-15)/8)
		case room >= 15: // 7 header bits, up to 14 bytes
			cnt = min(14, (room-7)/8)
		default:
			cnt = 0
		}
		if cnt == 0 {
			break
		}
		w.put(6, 3) // ID_FIL
		if cnt >= 15 {
			w.put(15, 4)
			w.put(uint64(cnt-14), 8) // esc_count: cnt = 15 + esc_count - 1
		} else {
			w.put(uint64(cnt), 4)
		}
		w.put(0, 4) // extension_type EXT_FILL: the other 8*cnt-4 bits are free
		w.put(uint64(fill()&0x0F), 4)
		for range cnt - 1 {
			w.put(uint64(fill()), 8)
		}
	}
	w.put(7, 3) // ID_END
	w.align()
	if len(w.buf) != aacFrameBytes {
		return nil, fmt.Errorf("media: internal error: AAC frame of %d bytes", len(w.buf))
	}
	return w.buf, nil
}

// icsInfo: long window, max_sfb 1, no prediction.
func icsInfo(w *bitWriter) {
	w.put(0, 1) // ics_reserved_bit
	w.put(0, 2) // ONLY_LONG_SEQUENCE
	w.put(0, 1) // window_shape
	w.put(1, 6) // max_sfb
	w.put(0, 1) // predictor_data_present
}

// H.264 constrained baseline, level 3.1, 1280x720 at 30 fps.
const (
	vidWidth, vidHeight = 1280, 720
	vidMBs              = (vidWidth / 16) * (vidHeight / 16)
	vidFPS              = 30
	vidTimescale        = 90000
	// Average sample size, reached with a filler NAL unit: 960 kbps.
	vidFrameBytes      = 4000
	vidBitRate         = vidFrameBytes * 8 * vidFPS
	vidLog2MaxFrameNum = 8
)

// nalUnit adds emulation prevention bytes to an RBSP and prefixes the NAL header
// and the 4-byte length used in MP4 samples (avcC lengthSizeMinusOne = 3).
func nalUnit(header byte, rbsp []byte) []byte {
	out := make([]byte, 4, len(rbsp)+len(rbsp)/64+6)
	out = append(out, header)
	zeros := 0
	for _, b := range rbsp {
		if zeros >= 2 && b <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	binary.BigEndian.PutUint32(out, uint32(len(out)-4))
	return out
}

func h264SPS() []byte {
	w := &bitWriter{}
	w.put(66, 8)   // profile_idc: baseline
	w.put(0xC0, 8) // constraint_set0 and set1: constrained baseline
	w.put(31, 8)   // level 3.1: 3600 macroblocks at 30 fps
	w.ue(0)        // seq_parameter_set_id
	w.ue(vidLog2MaxFrameNum - 4)
	w.ue(2)     // pic_order_cnt_type 2: output order = decoding order
	w.ue(1)     // max_num_ref_frames
	w.put(0, 1) // gaps_in_frame_num_value_allowed_flag
	w.ue(vidWidth/16 - 1)
	w.ue(vidHeight/16 - 1)
	w.put(1, 1) // frame_mbs_only_flag
	w.put(1, 1) // direct_8x8_inference_flag
	w.put(0, 1) // frame_cropping_flag: 720 is a multiple of 16
	w.put(1, 1) // vui_parameters_present_flag
	w.put(0, 4) // aspect ratio, overscan, video signal type, chroma location: absent
	w.put(1, 1) // timing_info_present_flag
	w.put(1, 32)
	w.put(2*vidFPS, 32) // time_scale: two ticks (fields) per frame
	w.put(1, 1)         // fixed_frame_rate_flag
	w.put(0, 4)         // NAL and VCL HRD, pic_struct, bitstream restriction: absent
	return nalUnit(0x67, w.trailing())
}

func h264PPS() []byte {
	w := &bitWriter{}
	w.ue(0)     // pic_parameter_set_id
	w.ue(0)     // seq_parameter_set_id
	w.put(0, 2) // CAVLC, no bottom_field_pic_order_in_frame_present
	w.ue(0)     // num_slice_groups_minus1
	w.ue(0)     // num_ref_idx_l0_default_active_minus1
	w.ue(0)     // num_ref_idx_l1_default_active_minus1
	w.put(0, 3) // weighted prediction: off
	w.ue(0)     // pic_init_qp_minus26 = se(0)
	w.ue(0)     // pic_init_qs_minus26 = se(0)
	w.ue(0)     // chroma_qp_index_offset = se(0)
	w.put(0, 3) // deblocking control, constrained intra, redundant_pic_cnt: absent
	return nalUnit(0x68, w.trailing())
}

// h264IDR codes a uniform grey picture: every macroblock is I_16x16 with DC
// prediction and no residual, which costs one byte per macroblock.
func h264IDR() []byte {
	w := &bitWriter{}
	w.ue(0)                      // first_mb_in_slice
	w.ue(7)                      // slice_type: I, all slices
	w.ue(0)                      // pic_parameter_set_id
	w.put(0, vidLog2MaxFrameNum) // frame_num
	w.ue(0)                      // idr_pic_id
	w.put(0, 2)                  // no_output_of_prior_pics, long_term_reference
	w.ue(0)                      // slice_qp_delta = se(0)
	for range vidMBs {
		w.ue(3)     // mb_type I_16x16_2_0_0: DC prediction, no coded blocks
		w.ue(0)     // intra_chroma_pred_mode: DC
		w.ue(0)     // mb_qp_delta = se(0)
		w.put(1, 1) // Intra16x16DCLevel coeff_token: no coefficients
	}
	return nalUnit(0x65, w.trailing())
}

// h264P codes a P picture whose macroblocks are all skipped (a copy of the
// reference). Pictures stay reference pictures because pic_order_cnt_type 2
// forbids consecutive non-reference ones.
func h264P(frameNum int) []byte {
	w := &bitWriter{}
	w.ue(0) // first_mb_in_slice
	w.ue(5) // slice_type: P, all slices
	w.ue(0) // pic_parameter_set_id
	w.put(uint64(frameNum)%(1<<vidLog2MaxFrameNum), vidLog2MaxFrameNum)
	w.put(0, 3)  // num_ref_idx_active_override, ref_pic_list_modification_l0, adaptive_ref_pic_marking
	w.ue(0)      // slice_qp_delta = se(0)
	w.ue(vidMBs) // mb_skip_run: the whole picture
	return nalUnit(0x41, w.trailing())
}

// h264SEI is a user_data_unregistered message carrying text (the seed), so the
// video track differs between seeds too.
func h264SEI(text string) []byte {
	uuid := []byte("acsemu-synthetic") // 16 bytes
	payload := append(uuid, text...)
	rbsp := []byte{5, byte(len(payload))} // payload type, size (< 255)
	rbsp = append(rbsp, payload...)
	return nalUnit(0x06, append(rbsp, 0x80))
}

// h264Filler is a filler data NAL unit taking exactly n bytes in a sample
// (length prefix included); n must be at least 6.
func h264Filler(n int) []byte {
	out := make([]byte, 4, n)
	binary.BigEndian.PutUint32(out, uint32(n-4))
	out = append(out, 0x0C)
	for range n - 6 {
		out = append(out, 0xFF)
	}
	return append(out, 0x80)
}

// h264Samples returns the n video samples of a fragment, n*vidFrameBytes bytes
// in all: an IDR picture, preceded by the SEI and followed by all the padding
// (as an encoder spends its bits on intra pictures), then P pictures. Keeping
// the padding in one filler NAL unit also keeps it in one run of 0xFF bytes,
// which ReadAt does not need to store.
func h264Samples(n int, sei []byte) ([][]byte, error) {
	samples := make([][]byte, n)
	used := 0
	for i := 1; i < n; i++ {
		samples[i] = h264P(i)
		used += len(samples[i])
	}
	idr := append(append([]byte(nil), sei...), h264IDR()...)
	gap := n*vidFrameBytes - used - len(idr)
	if gap < 6 {
		return nil, fmt.Errorf("media: internal error: %d bytes left for video padding", gap)
	}
	samples[0] = append(idr, h264Filler(gap)...)
	return samples, nil
}

package avc

import (
	"errors"
	"fmt"
)

// bitReader reads an RBSP (emulation prevention bytes removed) bit by bit.
type bitReader struct {
	b   []byte
	pos int // in bits
}

var errShort = errors.New("avc: SPS ends early")

func (r *bitReader) bit() (uint, error) {
	if r.pos >= len(r.b)*8 {
		return 0, errShort
	}
	v := uint(r.b[r.pos/8]>>(7-r.pos%8)) & 1
	r.pos++
	return v, nil
}

func (r *bitReader) bits(n int) (uint, error) {
	var v uint
	for range n {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		v = v<<1 | b
	}
	return v, nil
}

// ue reads an unsigned Exp-Golomb code.
func (r *bitReader) ue() (uint, error) {
	zeros := 0
	for {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		if b == 1 {
			break
		}
		zeros++
		if zeros > 31 {
			return 0, errors.New("avc: Exp-Golomb code too long")
		}
	}
	v, err := r.bits(zeros)
	return (1<<zeros - 1) + v, err
}

func (r *bitReader) se() (int, error) {
	v, err := r.ue()
	if v&1 == 1 {
		return int(v+1) / 2, err
	}
	return -int(v / 2), err
}

// rbsp removes emulation prevention bytes (00 00 03 → 00 00).
func rbsp(nal []byte) []byte {
	out := make([]byte, 0, len(nal))
	zeros := 0
	for _, c := range nal {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// SPSSize returns the cropped picture size a sequence parameter set NAL
// unit (header byte included) describes (ITU-T H.264 7.3.2.1.1).
func SPSSize(nal []byte) (width, height int, err error) {
	if len(nal) < 4 || nal[0]&0x1f != NALSPS {
		return 0, 0, fmt.Errorf("avc: not an SPS NAL unit")
	}
	r := &bitReader{b: rbsp(nal[1:])}
	profile, _ := r.bits(8)
	r.bits(16)                        // constraint flags, level
	if _, err := r.ue(); err != nil { // seq_parameter_set_id
		return 0, 0, err
	}
	chroma := uint(1)
	frameMBSOnly := uint(1)
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		if chroma, err = r.ue(); err != nil {
			return 0, 0, err
		}
		if chroma == 3 {
			r.bit() // separate_colour_plane_flag
		}
		r.ue()  // bit_depth_luma_minus8
		r.ue()  // bit_depth_chroma_minus8
		r.bit() // qpprime_y_zero_transform_bypass_flag
		if present, _ := r.bit(); present == 1 {
			n := 8
			if chroma == 3 {
				n = 12
			}
			for i := range n {
				if listPresent, _ := r.bit(); listPresent == 1 {
					size := 16
					if i >= 6 {
						size = 64
					}
					if err := skipScalingList(r, size); err != nil {
						return 0, 0, err
					}
				}
			}
		}
	}
	r.ue() // log2_max_frame_num_minus4
	pocType, err := r.ue()
	if err != nil {
		return 0, 0, err
	}
	switch pocType {
	case 0:
		r.ue() // log2_max_pic_order_cnt_lsb_minus4
	case 1:
		r.bit()
		r.se()
		r.se()
		n, err := r.ue()
		if err != nil || n > 255 {
			return 0, 0, fmt.Errorf("avc: bad SPS cycle length")
		}
		for range n {
			r.se()
		}
	}
	r.ue()  // max_num_ref_frames
	r.bit() // gaps_in_frame_num_value_allowed_flag
	wMBs, _ := r.ue()
	hMapUnits, _ := r.ue()
	if frameMBSOnly, err = r.bit(); err != nil {
		return 0, 0, err
	}
	if frameMBSOnly == 0 {
		r.bit() // mb_adaptive_frame_field_flag
	}
	r.bit() // direct_8x8_inference_flag
	width = int(wMBs+1) * 16
	height = int(2-frameMBSOnly) * int(hMapUnits+1) * 16
	cropped, err := r.bit()
	if err != nil {
		return 0, 0, err
	}
	if cropped == 1 {
		l, _ := r.ue()
		rt, _ := r.ue()
		t, _ := r.ue()
		b, err := r.ue()
		if err != nil {
			return 0, 0, err
		}
		cx, cy := 1, 2-int(frameMBSOnly)
		switch chroma {
		case 1:
			cx, cy = 2, 2*(2-int(frameMBSOnly))
		case 2:
			cx = 2
		}
		width -= cx * int(l+rt)
		height -= cy * int(t+b)
	}
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("avc: SPS gives a %dx%d picture", width, height)
	}
	return width, height, nil
}

func skipScalingList(r *bitReader, size int) error {
	last, next := 8, 8
	for range size {
		if next != 0 {
			d, err := r.se()
			if err != nil {
				return err
			}
			next = (last + d + 256) % 256
		}
		if next != 0 {
			last = next
		}
	}
	return nil
}

package mpegts

// Program Specific Information: the PAT and PMT of the single program
// (program_number 1) a segment carries. Both are built once per Reset; only
// their continuity counters change from segment to segment.

const programNumber = 1

// buildPSI fills w.pat and w.pmt (continuity counter 0).
func (w *Writer) buildPSI() {
	// PAT: program 1 → PMT PID.
	pat := []byte{
		0x00,       // table_id
		0xB0, 0x0D, // section_syntax_indicator, '0', reserved, section_length 13
		0x00, 0x01, // transport_stream_id
		0xC1,       // reserved, version 0, current_next_indicator
		0x00, 0x00, // section_number, last_section_number
		byte(programNumber >> 8), byte(programNumber),
		0xE0 | PIDPMT>>8, PIDPMT & 0xFF,
	}
	fillPSI(&w.pat, PIDPAT, pat)

	pcrPID := w.streams[w.pcr].pid
	pmt := make([]byte, 0, 12+5*len(w.streams)+4)
	sectionLength := 9 + 5*len(w.streams) + 4
	pmt = append(pmt,
		0x02, // table_id
		0xB0|byte(sectionLength>>8), byte(sectionLength),
		byte(programNumber>>8), byte(programNumber),
		0xC1, 0x00, 0x00,
		0xE0|byte(pcrPID>>8), byte(pcrPID),
		0xF0, 0x00, // program_info_length 0
	)
	for _, e := range w.streams {
		pmt = append(pmt, e.streamType, 0xE0|byte(e.pid>>8), byte(e.pid), 0xF0, 0x00)
	}
	fillPSI(&w.pmt, PIDPMT, pmt)
}

// fillPSI writes one TS packet of pid holding section (without its CRC),
// the section's CRC and 0xFF stuffing.
func fillPSI(p *[packetSize]byte, pid uint16, section []byte) {
	p[0] = 0x47
	p[1] = 0x40 | byte(pid>>8)&0x1F // payload_unit_start_indicator
	p[2] = byte(pid)
	p[3] = 0x10 // payload only, continuity counter 0
	p[4] = 0    // pointer_field
	n := 5 + copy(p[5:], section)
	crc := crc32MPEG2(section)
	p[n], p[n+1], p[n+2], p[n+3] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	for i := n + 4; i < packetSize; i++ {
		p[i] = 0xFF
	}
}

// writePSI writes the PAT and the PMT with their next continuity counters.
// The buffer is empty or has room: it is called before any PES of a segment.
func (w *Writer) writePSI() {
	for _, t := range []struct {
		p  *[packetSize]byte
		cc *byte
	}{{&w.pat, &w.patCC}, {&w.pmt, &w.pmtCC}} {
		p, _ := w.packet()
		copy(p, t.p[:])
		p[3] = 0x10 | *t.cc
		*t.cc = (*t.cc + 1) & 0xF
	}
}

// crcTable is the MSB-first table of the CRC-32/MPEG-2 polynomial.
var crcTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// crc32MPEG2 is the CRC of ISO/IEC 13818-1 Annex A: polynomial 0x04C11DB7,
// initial value 0xFFFFFFFF, not reflected, no final XOR. A section followed
// by its CRC has a CRC of 0.
func crc32MPEG2(b []byte) uint32 {
	c := uint32(0xFFFFFFFF)
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>24)^x]
	}
	return c
}

package mpegts

import (
	"bytes"
	"fmt"
)

// This file is an independent reader of what the Writer writes: it parses
// the transport stream packet by packet and checks the rules players and
// ISO/IEC 13818-1 rely on.

// pes is one reassembled PES packet.
type pes struct {
	pid      uint16
	streamID byte
	pts, dts int64 // dts == pts when the PES has no DTS
	pcr      int64 // -1 if its first packet had none
	rai      bool
	data     []byte
}

// tsInfo is what checkTS found.
type tsInfo struct {
	packets int
	pats    int
	pmts    int
	streams map[uint16]byte // PID → stream_type from the PMT
	pcrPID  uint16
	pcrs    int   // PCRs, in PES starts and in PCR-only packets
	pes     []pes // in stream order
}

// crcBitwise is CRC-32/MPEG-2 computed bit by bit, independently of the
// table the Writer uses.
func crcBitwise(b []byte) uint32 {
	c := uint32(0xFFFFFFFF)
	for _, x := range b {
		for i := 7; i >= 0; i-- {
			bit := (c>>31)^uint32(x>>i)&1 != 0
			c <<= 1
			if bit {
				c ^= 0x04C11DB7
			}
		}
	}
	return c
}

// checkTS parses b. Continuity counters must increase by one per payload
// packet of each PID, except that they may restart at 0 on a PAT when
// resetAtPAT is set (segments written one by one and concatenated).
func checkTS(b []byte, resetAtPAT bool) (*tsInfo, error) {
	if len(b) == 0 || len(b)%packetSize != 0 {
		return nil, fmt.Errorf("%d bytes: not a whole number of packets", len(b))
	}
	info := &tsInfo{streams: map[uint16]byte{}}
	cc := map[uint16]int{}
	open := map[uint16]int{} // PID → index in info.pes of its unfinished PES
	var pmtPID uint16 = 0xFFFF
	pcrSeen := false // since the last PAT
	finish := func(pid uint16) error {
		i, ok := open[pid]
		if !ok {
			return nil
		}
		delete(open, pid)
		if err := parsePES(&info.pes[i]); err != nil {
			return fmt.Errorf("PID %#x PES %d: %w", pid, i, err)
		}
		return nil
	}
	for n := 0; n < len(b); n += packetSize {
		info.packets++
		p := b[n : n+packetSize]
		if p[0] != 0x47 {
			return nil, fmt.Errorf("packet %d: sync byte %#x", info.packets, p[0])
		}
		if p[1]&0x80 != 0 {
			return nil, fmt.Errorf("packet %d: transport_error_indicator", info.packets)
		}
		pusi := p[1]&0x40 != 0
		pid := uint16(p[1]&0x1F)<<8 | uint16(p[2])
		if p[3]&0xC0 != 0 {
			return nil, fmt.Errorf("packet %d: scrambled", info.packets)
		}
		afc := p[3] >> 4 & 3
		if afc == 0 {
			return nil, fmt.Errorf("packet %d: adaptation_field_control 0", info.packets)
		}
		counter := int(p[3] & 0xF)
		if afc&1 != 0 { // payload
			if prev, ok := cc[pid]; ok && counter != (prev+1)&0xF && !(resetAtPAT && counter == 0 && pid == 0) {
				return nil, fmt.Errorf("packet %d PID %#x: continuity counter %d after %d", info.packets, pid, counter, prev)
			}
			cc[pid] = counter
			if resetAtPAT && pid == 0 && counter == 0 {
				clear(cc)
				cc[0] = 0
			}
		}
		k := 4
		pcr := int64(-1)
		rai := false
		if afc&2 != 0 {
			l := int(p[4])
			if afc == 2 && l != 183 || afc == 3 && l > 182 {
				return nil, fmt.Errorf("packet %d: adaptation field length %d", info.packets, l)
			}
			if l > 0 {
				flags := p[5]
				rai = flags&0x40 != 0
				if flags&0x10 != 0 {
					if l < 7 {
						return nil, fmt.Errorf("packet %d: PCR in %d bytes", info.packets, l)
					}
					pcr = int64(p[6])<<25 | int64(p[7])<<17 | int64(p[8])<<9 | int64(p[9])<<1 | int64(p[10]>>7)
					if p[10]&0x7E != 0x7E {
						return nil, fmt.Errorf("packet %d: PCR reserved bits", info.packets)
					}
				}
				if flags&^0x50 != 0 {
					return nil, fmt.Errorf("packet %d: unexpected adaptation flags %#x", info.packets, flags)
				}
				for i := 6; i < 5+l; i++ {
					if pcr >= 0 && i < 12 {
						continue
					}
					if p[i] != 0xFF {
						return nil, fmt.Errorf("packet %d: stuffing byte %#x", info.packets, p[i])
					}
				}
			}
			k = 5 + l
		}
		payload := p[k:]
		if afc&1 == 0 {
			payload = nil
		}
		if pcr >= 0 && !pusi && (afc != 2 || pid != info.pcrPID) {
			return nil, fmt.Errorf("packet %d: PCR outside a PES start or a PCR packet", info.packets)
		}
		if rai && !pusi {
			return nil, fmt.Errorf("packet %d: random access outside a PES start", info.packets)
		}
		if pid == 0 {
			pcrSeen = false
		}
		if pcr >= 0 {
			pcrSeen = true
			info.pcrs++
		}
		switch {
		case pid == 0 || pid == pmtPID:
			if !pusi || payload[0] != 0 {
				return nil, fmt.Errorf("packet %d: PSI without pointer field 0", info.packets)
			}
			sec := payload[1:]
			l := int(sec[1]&0x0F)<<8 | int(sec[2])
			if 3+l > len(sec) || l < 9 {
				return nil, fmt.Errorf("packet %d: section length %d", info.packets, l)
			}
			if crcBitwise(sec[:3+l]) != 0 {
				return nil, fmt.Errorf("packet %d: PSI CRC mismatch", info.packets)
			}
			for _, x := range sec[3+l:] {
				if x != 0xFF {
					return nil, fmt.Errorf("packet %d: PSI stuffing %#x", info.packets, x)
				}
			}
			body := sec[8 : 3+l-4]
			if pid == 0 {
				if sec[0] != 0 || len(body) != 4 {
					return nil, fmt.Errorf("packet %d: PAT table %d, %d bytes of programs", info.packets, sec[0], len(body))
				}
				info.pats++
				pmtPID = uint16(body[2]&0x1F)<<8 | uint16(body[3])
				continue
			}
			if sec[0] != 2 {
				return nil, fmt.Errorf("packet %d: PMT table id %d", info.packets, sec[0])
			}
			info.pmts++
			info.pcrPID = uint16(body[0]&0x1F)<<8 | uint16(body[1])
			infoLen := int(body[2]&0x0F)<<8 | int(body[3])
			es := body[4+infoLen:]
			for len(es) >= 5 {
				epid := uint16(es[1]&0x1F)<<8 | uint16(es[2])
				info.streams[epid] = es[0]
				es = es[5+(int(es[3]&0x0F)<<8|int(es[4])):]
			}
		default:
			if _, ok := info.streams[pid]; !ok {
				return nil, fmt.Errorf("packet %d: PID %#x before a PMT lists it", info.packets, pid)
			}
			if afc == 2 {
				continue
			}
			if pusi {
				if !pcrSeen {
					return nil, fmt.Errorf("packet %d: PES before the segment's first PCR", info.packets)
				}
				if err := finish(pid); err != nil {
					return nil, err
				}
				open[pid] = len(info.pes)
				info.pes = append(info.pes, pes{pid: pid, pcr: pcr, rai: rai})
			}
			i, ok := open[pid]
			if !ok {
				return nil, fmt.Errorf("packet %d: PID %#x payload before a PES start", info.packets, pid)
			}
			info.pes[i].data = append(info.pes[i].data, payload...)
		}
	}
	for pid := range open {
		if err := finish(pid); err != nil {
			return nil, err
		}
	}
	return info, nil
}

// parsePES reads p.data's PES header, leaving the elementary stream bytes.
func parsePES(p *pes) error {
	d := p.data
	if len(d) < 9 || d[0] != 0 || d[1] != 0 || d[2] != 1 {
		return fmt.Errorf("no start code")
	}
	p.streamID = d[3]
	length := int(d[4])<<8 | int(d[5])
	if d[6]&0xC0 != 0x80 {
		return fmt.Errorf("PES header marker %#x", d[6])
	}
	hlen := int(d[8])
	if 9+hlen > len(d) {
		return fmt.Errorf("header data length %d", hlen)
	}
	switch d[7] >> 6 {
	case 2:
		if hlen < 5 {
			return fmt.Errorf("PTS in %d bytes", hlen)
		}
		p.pts = readTimestamp(d[9:], 2)
		p.dts = p.pts
	case 3:
		if hlen < 10 {
			return fmt.Errorf("PTS and DTS in %d bytes", hlen)
		}
		p.pts = readTimestamp(d[9:], 3)
		p.dts = readTimestamp(d[14:], 1)
	default:
		return fmt.Errorf("no PTS")
	}
	if p.pts < 0 || p.dts < 0 {
		return fmt.Errorf("timestamp marker bits")
	}
	if length != 0 && length != len(d)-6 {
		return fmt.Errorf("PES_packet_length %d, %d bytes follow", length, len(d)-6)
	}
	p.data = d[9+hlen:]
	return nil
}

// readTimestamp decodes a 33-bit timestamp, -1 if its prefix or marker bits
// are wrong.
func readTimestamp(b []byte, prefix byte) int64 {
	if b[0]>>4 != prefix || b[0]&1 != 1 || b[2]&1 != 1 || b[4]&1 != 1 {
		return -1
	}
	return int64(b[0]>>1&7)<<30 | int64(b[1])<<22 | int64(b[2]>>1)<<15 | int64(b[3])<<7 | int64(b[4]>>1)
}

// nalTypes lists the NAL unit types of an Annex B access unit (4-byte start
// codes, as the Writer writes them).
func nalTypes(au []byte) []byte {
	var out []byte
	for i := 0; i+4 < len(au); {
		if !bytes.Equal(au[i:i+4], []byte{0, 0, 0, 1}) {
			i++
			continue
		}
		out = append(out, au[i+4]&0x1F)
		i += 5
	}
	return out
}

package mp4

import (
	"encoding/binary"
	"fmt"
)

// box is one parsed ISO BMFF box: the test's reader of what the writers
// produce.
type box struct {
	typ      string
	off      int    // offset of the box in the parsed bytes
	size     int    // whole box, header included
	payload  []byte // after the header (and after version/flags for full boxes this still includes them)
	children []*box
}

// containers are the boxes whose payload is a sequence of boxes.
var containers = map[string]int{ // header bytes to skip before the children
	"moov": 0, "trak": 0, "mdia": 0, "minf": 0, "stbl": 0, "dinf": 0, "edts": 0,
	"mvex": 0, "moof": 0, "traf": 0,
	"stsd": 8, "dref": 8, // full box + entry_count
	"avc1": 78, "hvc1": 78, "mp4a": 28, // sample entries
}

// parseBoxes reads the boxes of b, whose first byte is at offset base in the
// enclosing bytes.
func parseBoxes(b []byte, base int) ([]*box, error) {
	var out []*box
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			return nil, fmt.Errorf("truncated box header at %d", base+off)
		}
		size := int(binary.BigEndian.Uint32(b[off:]))
		typ := string(b[off+4 : off+8])
		hdr := 8
		if size == 1 {
			if len(b)-off < 16 {
				return nil, fmt.Errorf("truncated largesize at %d", base+off)
			}
			size, hdr = int(binary.BigEndian.Uint64(b[off+8:])), 16
		}
		if size < hdr || size > len(b)-off {
			return nil, fmt.Errorf("box %q at %d: size %d, %d bytes left", typ, base+off, size, len(b)-off)
		}
		bx := &box{typ: typ, off: base + off, size: size, payload: b[off+hdr : off+size]}
		if skip, ok := containers[typ]; ok {
			if len(bx.payload) < skip {
				return nil, fmt.Errorf("box %q at %d too short", typ, base+off)
			}
			var err error
			if bx.children, err = parseBoxes(bx.payload[skip:], base+off+hdr+skip); err != nil {
				return nil, fmt.Errorf("%s: %w", typ, err)
			}
		}
		out = append(out, bx)
		off += size
	}
	return out, nil
}

// find returns the boxes at path (types separated by '/') under bs.
func find(bs []*box, path ...string) []*box {
	if len(path) == 0 {
		return bs
	}
	var out []*box
	for _, b := range bs {
		if b.typ == path[0] {
			if len(path) == 1 {
				out = append(out, b)
			} else {
				out = append(out, find(b.children, path[1:]...)...)
			}
		}
	}
	return out
}

func u32(p []byte, off int) uint32 { return binary.BigEndian.Uint32(p[off:]) }

// trun is a parsed track run.
type trunBox struct {
	dataOffset int32
	durations  []uint32
	sizes      []uint32
	flags      []uint32
	ctos       []int32
}

func parseTrun(p []byte) (trunBox, error) {
	var r trunBox
	if len(p) < 8 {
		return r, fmt.Errorf("trun too short")
	}
	flags := u32(p, 0) & 0xffffff
	n := int(u32(p, 4))
	off := 8
	if flags&1 != 0 {
		r.dataOffset = int32(u32(p, off))
		off += 4
	}
	if flags&4 != 0 {
		off += 4
	}
	for range n {
		if flags&0x100 != 0 {
			r.durations = append(r.durations, u32(p, off))
			off += 4
		}
		if flags&0x200 != 0 {
			r.sizes = append(r.sizes, u32(p, off))
			off += 4
		}
		if flags&0x400 != 0 {
			r.flags = append(r.flags, u32(p, off))
			off += 4
		}
		if flags&0x800 != 0 {
			r.ctos = append(r.ctos, int32(u32(p, off)))
			off += 4
		}
	}
	if off != len(p) {
		return r, fmt.Errorf("trun: %d bytes for %d samples, %d left over", len(p), n, len(p)-off)
	}
	return r, nil
}

// fragmentInfo is what checkFragment finds in one moof+mdat.
type fragmentInfo struct {
	seq   uint32
	tfdt  map[uint32]uint64 // by track id
	count map[uint32]int
}

// checkFragment parses a media segment and checks that each trun's data
// lies inside the mdat and that the runs cover the mdat exactly.
func checkFragment(b []byte) (fragmentInfo, error) {
	info := fragmentInfo{tfdt: map[uint32]uint64{}, count: map[uint32]int{}}
	bs, err := parseBoxes(b, 0)
	if err != nil {
		return info, err
	}
	if len(bs) != 2 || bs[0].typ != "moof" || bs[1].typ != "mdat" {
		var types []string
		for _, b := range bs {
			types = append(types, b.typ)
		}
		return info, fmt.Errorf("boxes %v, want [moof mdat]", types)
	}
	moof, mdat := bs[0], bs[1]
	mfhd := find(moof.children, "mfhd")
	if len(mfhd) != 1 {
		return info, fmt.Errorf("%d mfhd", len(mfhd))
	}
	info.seq = u32(mfhd[0].payload, 4)
	dataStart := mdat.off + mdat.size - len(mdat.payload)
	next := dataStart
	for _, traf := range find(moof.children, "traf") {
		tfhd, tfdt, truns := find(traf.children, "tfhd"), find(traf.children, "tfdt"), find(traf.children, "trun")
		if len(tfhd) != 1 || len(tfdt) != 1 || len(truns) != 1 {
			return info, fmt.Errorf("traf with %d tfhd, %d tfdt, %d trun", len(tfhd), len(tfdt), len(truns))
		}
		if f := u32(tfhd[0].payload, 0); f != 0x020000 {
			return info, fmt.Errorf("tfhd flags %#x", f)
		}
		id := u32(tfhd[0].payload, 4)
		if tfdt[0].payload[0] != 1 {
			return info, fmt.Errorf("tfdt version %d", tfdt[0].payload[0])
		}
		info.tfdt[id] = binary.BigEndian.Uint64(tfdt[0].payload[4:])
		r, err := parseTrun(truns[0].payload)
		if err != nil {
			return info, err
		}
		info.count[id] = len(r.sizes)
		if start := moof.off + int(r.dataOffset); start != next {
			return info, fmt.Errorf("track %d: data at %d, want %d", id, start, next)
		}
		for _, s := range r.sizes {
			next += int(s)
		}
	}
	if end := mdat.off + mdat.size; next != end {
		return info, fmt.Errorf("runs end at %d, mdat at %d", next, end)
	}
	return info, nil
}

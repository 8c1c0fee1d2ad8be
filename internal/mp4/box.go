package mp4

import "encoding/binary"

// builder appends boxes to a byte slice; start returns the offset of a box
// whose 32-bit size end fills in once its contents are written.
type builder struct{ b []byte }

func (w *builder) u8(v uint8) { w.b = append(w.b, v) }
func (w *builder) u16(v uint16) {
	w.b = binary.BigEndian.AppendUint16(w.b, v)
}
func (w *builder) u24(v uint32) { w.b = append(w.b, byte(v>>16), byte(v>>8), byte(v)) }
func (w *builder) u32(v uint32) {
	w.b = binary.BigEndian.AppendUint32(w.b, v)
}
func (w *builder) u64(v uint64) {
	w.b = binary.BigEndian.AppendUint64(w.b, v)
}
func (w *builder) bytes(p []byte) { w.b = append(w.b, p...) }
func (w *builder) str(s string)   { w.b = append(w.b, s...) }
func (w *builder) zeros(n int) {
	for range n {
		w.b = append(w.b, 0)
	}
}

// start begins a box of type typ (4 characters).
func (w *builder) start(typ string) int {
	off := len(w.b)
	w.b = append(w.b, 0, 0, 0, 0, typ[0], typ[1], typ[2], typ[3])
	return off
}

// startFull begins a full box (version and flags follow the type).
func (w *builder) startFull(typ string, version uint8, flags uint32) int {
	off := w.start(typ)
	w.u8(version)
	w.u24(flags)
	return off
}

// end sets the size of the box started at off.
func (w *builder) end(off int) {
	binary.BigEndian.PutUint32(w.b[off:], uint32(len(w.b)-off))
}

// matrix is the identity transformation of mvhd and tkhd.
func (w *builder) matrix() {
	w.u32(0x00010000)
	w.u32(0)
	w.u32(0)
	w.u32(0)
	w.u32(0x00010000)
	w.u32(0)
	w.u32(0)
	w.u32(0)
	w.u32(0x40000000)
}

// descriptor begins an MPEG-4 descriptor (ISO/IEC 14496-1) with a 4-byte
// length that endDescriptor fills in.
func (w *builder) descriptor(tag byte) int {
	w.b = append(w.b, tag, 0x80, 0x80, 0x80, 0)
	return len(w.b)
}

func (w *builder) endDescriptor(start int) {
	n := len(w.b) - start
	w.b[start-4] = 0x80 | byte(n>>21&0x7f)
	w.b[start-3] = 0x80 | byte(n>>14&0x7f)
	w.b[start-2] = 0x80 | byte(n>>7&0x7f)
	w.b[start-1] = byte(n & 0x7f)
}

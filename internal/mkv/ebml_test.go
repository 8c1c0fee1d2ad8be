package mkv

import "testing"

func TestVarints(t *testing.T) {
	for _, v := range []uint64{0, 1, 126, 127, 128, 16382, 16383, 1 << 20, 1<<35 + 7, 1<<56 - 2, unknownSize} {
		b := appendSize(nil, v)
		got, n := parseSize(b)
		if got != v || n != len(b) || sizeLen(v) != len(b) {
			t.Errorf("size %d: encoded %x, decoded %d (%d bytes), sizeLen %d", v, b, got, n, sizeLen(v))
		}
	}
	for _, id := range []uint32{idVoid, idTimecode, idTagName, idTimecodeScale, idCluster, idEBML} {
		b := appendID(nil, id)
		got, n := parseID(b)
		if got != id || n != len(b) || idLen(id) != len(b) {
			t.Errorf("id %#x: encoded %x, decoded %#x", id, b, got)
		}
	}
	for _, v := range []uint64{0, 255, 256, 1 << 40, 1<<64 - 1} {
		b := appendUintElem(nil, idTimecode, v)
		if readUint(b[2:]) != v || len(b) != 2+uintLen(v) {
			t.Errorf("uint %d: %x", v, b)
		}
	}
	if _, n := parseSize([]byte{0}); n != 0 {
		t.Error("size 0x00 accepted")
	}
	if _, n := parseID([]byte{0x08, 1, 2, 3, 4}); n != 0 {
		t.Error("5-byte id accepted")
	}
}

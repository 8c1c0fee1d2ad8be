package compress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/snappy"
)

// Hadoop's SnappyCodec uses a 256 KiB buffer
// (io.compression.codec.snappy.buffersize) and BlockCompressorStream
// accepts at most bufferSize - (bufferSize/6 + 32) input bytes per block.
const (
	hadoopBufferSize = 256 * 1024
	hadoopBlockSize  = hadoopBufferSize - (hadoopBufferSize/6 + 32)
	// maxHadoopChunk bounds one compressed chunk a Reader accepts.
	maxHadoopChunk = 64 << 20
)

// ErrCorrupt is wrapped by HADOOP_SNAPPY read errors on malformed input.
var ErrCorrupt = errors.New("compress: corrupt hadoop snappy stream")

type hadoopWriter struct {
	w   io.Writer
	buf []byte
	out []byte
	err error
}

func newHadoopWriter(w io.Writer) *hadoopWriter {
	return &hadoopWriter{w: w, buf: make([]byte, 0, hadoopBlockSize)}
}

func (h *hadoopWriter) Write(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), hadoopBlockSize-len(h.buf))
		h.buf = append(h.buf, p[:k]...)
		p = p[k:]
		if len(h.buf) == hadoopBlockSize {
			if err := h.flush(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// flush writes the buffered input as one block holding one chunk.
func (h *hadoopWriter) flush() error {
	if len(h.buf) == 0 {
		return nil
	}
	need := 8 + snappy.MaxEncodedLen(len(h.buf))
	if cap(h.out) < need {
		h.out = make([]byte, need)
	}
	out := h.out[:need]
	enc := snappy.Encode(out[8:], h.buf)
	binary.BigEndian.PutUint32(out[0:4], uint32(len(h.buf)))
	binary.BigEndian.PutUint32(out[4:8], uint32(len(enc)))
	if _, err := h.w.Write(out[:8+len(enc)]); err != nil {
		h.err = err
		return err
	}
	h.buf = h.buf[:0]
	return nil
}

func (h *hadoopWriter) Close() error {
	if h.err != nil {
		return h.err
	}
	err := h.flush()
	h.err = errors.New("compress: write after close")
	return err
}

// hadoopReader decodes Hadoop BlockCompressorStream snappy data.
type hadoopReader struct {
	r       io.Reader
	remain  uint64 // uncompressed bytes left in the current block
	pending []byte // decoded bytes not yet returned
	comp    []byte
	dec     []byte
	err     error
}

func (h *hadoopReader) Read(p []byte) (int, error) {
	for len(h.pending) == 0 {
		if h.err != nil {
			return 0, h.err
		}
		h.err = h.next()
	}
	n := copy(p, h.pending)
	h.pending = h.pending[n:]
	return n, nil
}

func (h *hadoopReader) readUint32(atBoundary bool) (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(h.r, b[:]); err != nil {
		if err == io.EOF && atBoundary {
			return 0, io.EOF
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return 0, fmt.Errorf("%w: truncated", ErrCorrupt)
		}
		return 0, err
	}
	return binary.BigEndian.Uint32(b[:]), nil
}

// next decodes one chunk into pending, starting a new block when the
// current one is complete.
func (h *hadoopReader) next() error {
	for h.remain == 0 {
		n, err := h.readUint32(true)
		if err != nil {
			return err
		}
		h.remain = uint64(n) // a zero-length block has no chunks
	}
	clen, err := h.readUint32(false)
	if err != nil {
		return err
	}
	if clen == 0 || clen > maxHadoopChunk {
		return fmt.Errorf("%w: chunk length %d", ErrCorrupt, clen)
	}
	if cap(h.comp) < int(clen) {
		h.comp = make([]byte, clen)
	}
	comp := h.comp[:clen]
	if _, err := io.ReadFull(h.r, comp); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: truncated chunk", ErrCorrupt)
		}
		return err
	}
	dlen, err := snappy.DecodedLen(comp)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if uint64(dlen) > h.remain {
		return fmt.Errorf("%w: chunk decodes to %d bytes, block has %d left", ErrCorrupt, dlen, h.remain)
	}
	if cap(h.dec) < dlen {
		h.dec = make([]byte, dlen)
	}
	dec, err := snappy.Decode(h.dec[:dlen], comp)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	h.remain -= uint64(len(dec))
	h.pending = dec
	return nil
}

package videoclient

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// FuzzAckStream feeds arbitrary response bodies to the PutMedia
// acknowledgement decoder: it must never panic, must end, and every Ack it
// yields must survive a JSON round trip.
func FuzzAckStream(f *testing.F) {
	for _, seed := range []string{
		"{\"EventType\":\"BUFFERING\",\"FragmentTimecode\":0,\"FragmentNumber\":\"91343852333181432392682062607743920146264558000\"}\n" +
			"{\"EventType\":\"RECEIVED\",\"FragmentTimecode\":0,\"FragmentNumber\":\"91343852333181432392682062607743920146264558000\"}\n" +
			"{\"EventType\":\"PERSISTED\",\"FragmentTimecode\":0,\"FragmentNumber\":\"91343852333181432392682062607743920146264558000\"}\n",
		"{\"EventType\":\"ERROR\",\"FragmentTimecode\":2000,\"ErrorId\":4004}\r\n\r\n{\"EventType\":\"IDLE\"}",
		"{\"EventType\":\"ERROR\",\"ErrorId\":\"4006\"}{\"EventType\":\"IDLE\"}",
		"{\"EventType\":\"RECEIVED\",\"FragmentNumber\":1e400}",
		"{\"EventType\":\"RECEIVED\"",
		"[1,2,3]\n",
		"\"text\"",
		"",
		"\n\n\n",
		strings.Repeat("{\"EventType\":\"", 10) + "\x00\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		acks := newAckStream(io.NopCloser(bytes.NewReader(data)))
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatalf("%d acks from %d bytes", i, len(data))
			}
			ack, err := acks.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if ack != (Ack{}) {
					t.Fatalf("error %v with ack %+v", err, ack)
				}
				break
			}
			b, err := json.Marshal(ack)
			if err != nil {
				t.Fatal(err)
			}
			var back Ack
			if err := json.Unmarshal(b, &back); err != nil || back != ack {
				t.Fatalf("round trip of %+v through %s: %+v, %v", ack, b, back, err)
			}
		}
		acks.Close()
	})
}

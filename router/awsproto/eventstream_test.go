package awsproto

import (
	"bytes"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/kinesin/kinesin/internal/awserr"
)

// countingWriter records how many Writes a message took.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// TestEventWriter writes a stream as SubscribeToShard does and reads it
// back with the SDK's own decoder.
func TestEventWriter(t *testing.T) {
	for _, enc := range []Encoding{JSON, CBOR} {
		t.Run(enc.ContentType(), func(t *testing.T) {
			var buf countingWriter
			ew := NewEventWriter(&buf, enc)
			event, err := enc.Marshal(map[string]any{"ContinuationSequenceNumber": "1", "MillisBehindLatest": 0})
			if err != nil {
				t.Fatal(err)
			}
			if err := ew.Event("initial-response", []byte("{}")); err != nil {
				t.Fatal(err)
			}
			if err := ew.Event("SubscribeToShardEvent", event); err != nil {
				t.Fatal(err)
			}
			if err := ew.Exception(awserr.ResourceInUse.New("Another active subscription exists")); err != nil {
				t.Fatal(err)
			}
			if buf.writes != 3 {
				t.Errorf("3 messages took %d writes, want one each", buf.writes)
			}

			dec := eventstream.NewDecoder()
			want := []struct {
				headers map[string]string
				payload []byte
			}{
				{map[string]string{":message-type": "event", ":event-type": "initial-response", ":content-type": enc.ContentType()}, []byte("{}")},
				{map[string]string{":message-type": "event", ":event-type": "SubscribeToShardEvent", ":content-type": enc.ContentType()}, event},
				{map[string]string{":message-type": "exception", ":exception-type": "ResourceInUseException", ":content-type": enc.ContentType()}, nil},
			}
			for i, w := range want {
				msg, err := dec.Decode(&buf, nil)
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if len(msg.Headers) != len(w.headers) {
					t.Errorf("message %d: headers %v", i, msg.Headers)
				}
				for name, value := range w.headers {
					if got := msg.Headers.Get(name); got == nil || got.String() != value {
						t.Errorf("message %d: %s = %v, want %q", i, name, got, value)
					}
				}
				if w.payload != nil && !bytes.Equal(msg.Payload, w.payload) {
					t.Errorf("message %d: payload %q, want %q", i, msg.Payload, w.payload)
				}
				if w.payload == nil {
					var e struct {
						Type    string `json:"__type" cbor:"__type"`
						Message string `json:"message" cbor:"message"`
					}
					if err := enc.Unmarshal(msg.Payload, &e); err != nil || e.Type != "ResourceInUseException" || e.Message != "Another active subscription exists" {
						t.Errorf("exception payload %q: %+v, %v", msg.Payload, e, err)
					}
				}
			}
			if _, err := dec.Decode(&buf, nil); err != io.EOF {
				t.Errorf("after the last message: %v, want EOF", err)
			}
		})
	}
}

func TestEventWriterError(t *testing.T) {
	ew := NewEventWriter(failingWriter{}, JSON)
	if err := ew.Event("x", nil); err != io.ErrClosedPipe {
		t.Errorf("Event on a broken writer: %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

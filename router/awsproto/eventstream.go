package awsproto

import (
	"io"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/kinesin/kinesin/internal/awserr"
)

// ContentTypeEventStream is the Content-Type of an event stream response.
const ContentTypeEventStream = "application/vnd.amazon.eventstream"

// Header values that never change, boxed into eventstream.Value once
// rather than on every message.
var (
	valueEvent     eventstream.Value = eventstream.StringValue("event")
	valueException eventstream.Value = eventstream.StringValue("exception")
	valueJSON      eventstream.Value = eventstream.StringValue(ContentTypeJSON)
	valueCBOR      eventstream.Value = eventstream.StringValue(ContentTypeCBOR)
)

// EventWriter writes AWS event stream messages, the framing of
// SubscribeToShard's response body: each message is a prelude, headers
// saying what it is, a payload in the request's encoding and CRCs. It is
// not safe for concurrent use.
//
// Each message reaches w in a single Write, so a message is never split
// across a flush; the caller flushes (router.StreamWriter.Flush) when the
// client should see what was written.
type EventWriter struct {
	w           io.Writer
	enc         Encoding
	contentType eventstream.Value
	e           *eventstream.Encoder
	h           eventstream.Headers // reused between messages
}

// NewEventWriter writes events whose payloads are in enc.
func NewEventWriter(w io.Writer, enc Encoding) *EventWriter {
	ct := valueJSON
	if enc == CBOR {
		ct = valueCBOR
	}
	return &EventWriter{w: w, enc: enc, contentType: ct, e: eventstream.NewEncoder()}
}

// Event writes one event message: payload is already encoded in the
// writer's encoding.
func (ew *EventWriter) Event(eventType string, payload []byte) error {
	ew.h = append(ew.h[:0],
		eventstream.Header{Name: ":message-type", Value: valueEvent},
		eventstream.Header{Name: ":event-type", Value: eventstream.StringValue(eventType)},
		eventstream.Header{Name: ":content-type", Value: ew.contentType},
	)
	return ew.e.Encode(ew.w, eventstream.Message{Headers: ew.h, Payload: payload})
}

// Exception writes an exception message, which the SDKs turn into the
// error of the stream; nothing should follow it.
func (ew *EventWriter) Exception(err *awserr.Error) error {
	ew.h = append(ew.h[:0],
		eventstream.Header{Name: ":message-type", Value: valueException},
		eventstream.Header{Name: ":exception-type", Value: eventstream.StringValue(err.Code)},
		eventstream.Header{Name: ":content-type", Value: ew.contentType},
	)
	return ew.e.Encode(ew.w, eventstream.Message{Headers: ew.h, Payload: ew.enc.MarshalError(err)})
}

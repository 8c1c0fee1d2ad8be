package awsproto

import (
	"io"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/kinesin/kinesin/internal/awserr"
)

// EventWriter writes AWS event stream messages (SubscribeToShard's
// response body).
type EventWriter struct {
	w   io.Writer
	enc Encoding
	e   *eventstream.Encoder
}

// NewEventWriter writes events whose payloads are in enc.
func NewEventWriter(w io.Writer, enc Encoding) *EventWriter {
	return &EventWriter{w: w, enc: enc, e: eventstream.NewEncoder()}
}

// Event writes one event message.
func (ew *EventWriter) Event(eventType string, payload []byte) error {
	var h eventstream.Headers
	h.Set(":message-type", eventstream.StringValue("event"))
	h.Set(":event-type", eventstream.StringValue(eventType))
	h.Set(":content-type", eventstream.StringValue(ew.enc.ContentType()))
	return ew.e.Encode(ew.w, eventstream.Message{Headers: h, Payload: payload})
}

// Exception writes an exception message that ends the stream.
func (ew *EventWriter) Exception(err *awserr.Error) error {
	var h eventstream.Headers
	h.Set(":message-type", eventstream.StringValue("exception"))
	h.Set(":exception-type", eventstream.StringValue(err.Code))
	h.Set(":content-type", eventstream.StringValue(ew.enc.ContentType()))
	return ew.e.Encode(ew.w, eventstream.Message{Headers: h, Payload: ew.enc.MarshalError(err)})
}

// Command probe is the test guest of package udf: a JSON handler whose
// first argument names what it does with the others.
//
//	["payload", ...]     answers the event it got, as a JSON string
//	["echo", v]          answers v as it is
//	["raw", "json text"] answers the JSON text (any value, valid or not)
//	["fail", "message"]  returns an error
//	["panic", "message"] panics
package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(probe) }

func main() {}

// rawAnswer is marshalled as its bytes, valid JSON or not.
type rawAnswer []byte

func (r rawAnswer) MarshalJSON() ([]byte, error) { return r, nil }

func probe(_ context.Context, event json.RawMessage) (any, error) {
	var args []json.RawMessage
	if err := json.Unmarshal(event, &args); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, errors.New("no arguments")
	}
	var op, text string
	if err := json.Unmarshal(args[0], &op); err != nil {
		return nil, err
	}
	if len(args) > 1 {
		_ = json.Unmarshal(args[1], &text)
	}
	switch op {
	case "payload":
		return string(event), nil
	case "echo":
		return args[1], nil
	case "raw":
		return rawAnswer(text), nil
	case "fail":
		return nil, errors.New(text)
	case "panic":
		panic(text)
	}
	return nil, errors.New("unknown op " + op)
}

package httpendpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/kinesin/kinesin/internal/awserr"
)

// response is the body an endpoint answers with
// (FirehoseCustomHttpsEndpointResponse): requestId and timestamp required,
// errorMessage for failures.
type response struct {
	RequestID    string
	Timestamp    int64
	ErrorMessage *string
}

// decodeResponse reads an endpoint's response body as Firehose does:
// exactly one JSON object with the members requestId (a string),
// timestamp (an integer number, not a string) and optionally errorMessage
// (a string of at most 8192 characters); member names are case-sensitive
// and other members are refused ("unexpected fields").
func decodeResponse(raw []byte) (response, error) {
	var r response
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil {
		return r, fmt.Errorf("response: %w", err)
	}
	if members == nil {
		return r, errors.New("response: not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return r, errors.New("response: data after the JSON object")
	}
	var haveID, haveTS bool
	for k, v := range members {
		switch k {
		case "requestId":
			if err := strictString(v, &r.RequestID); err != nil {
				return r, fmt.Errorf("response: requestId: %w", err)
			}
			haveID = true
		case "timestamp":
			v = bytes.TrimSpace(v)
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return r, fmt.Errorf("response: timestamp %s is not an integer", v)
			}
			r.Timestamp, haveTS = n, true
		case "errorMessage":
			if string(bytes.TrimSpace(v)) == "null" {
				continue
			}
			var s string
			if err := strictString(v, &s); err != nil {
				return r, fmt.Errorf("response: errorMessage: %w", err)
			}
			if awserr.Len16(s) > 8192 {
				return r, errors.New("response: errorMessage is longer than 8192 characters")
			}
			r.ErrorMessage = &s
		default:
			return r, fmt.Errorf("response: unexpected member %q", k)
		}
	}
	if !haveID {
		return r, errors.New("response: no requestId")
	}
	if !haveTS {
		return r, errors.New("response: no timestamp")
	}
	return r, nil
}

// strictString decodes a JSON string (null and other types refused).
func strictString(v json.RawMessage, s *string) error {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] != '"' {
		return fmt.Errorf("%s is not a string", v)
	}
	return json.Unmarshal(v, s)
}

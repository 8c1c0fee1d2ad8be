package opensearch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// IndexName is the index a document that arrived at t goes to: name with
// the part of t (in UTC) that period rotates on appended, as Firehose
// appends it (docs: "Configure index rotation for OpenSearch Service"):
//
//	NoRotation  myindex
//	OneHour     myindex-2016-02-25-13
//	OneDay      myindex-2016-02-25
//	OneWeek     myindex-2016-w09
//	OneMonth    myindex-2016-02
//
// OneWeek numbers weeks by the US convention the same page states: weeks
// start on Sunday and week 1 is the week that holds January 1 (so the
// first Saturday of the year ends it); the year is the year that week
// belongs to. (The page's example table shows w08 for 2016-02-25, which
// is the ISO week; the stated convention, which kinesin follows, gives
// w09.)
func IndexName(name, period string, t time.Time) string {
	t = t.UTC()
	switch period {
	case OneHour:
		return name + t.Format("-2006-01-02-15")
	case OneDay:
		return name + t.Format("-2006-01-02")
	case OneWeek:
		y, w := usWeek(t)
		return fmt.Sprintf("%s-%04d-w%02d", name, y, w)
	case OneMonth:
		return name + t.Format("-2006-01")
	default:
		return name
	}
}

// usWeek is t's week-based year and week number with weeks starting on
// Sunday and week 1 holding January 1.
func usWeek(t time.Time) (year, week int) {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	saturday := day.AddDate(0, 0, 6-int(day.Weekday()))
	return saturday.Year(), (saturday.YearDay()-1)/7 + 1
}

// action is the metadata line of one bulk "index" action.
type action struct {
	Index actionMeta `json:"index"`
}

type actionMeta struct {
	Index string `json:"_index"`
	Type  string `json:"_type,omitempty"`
	ID    string `json:"_id,omitempty"`
}

// appendAction appends the NDJSON of one "index" action and its document
// (already one line of JSON) to b.
func appendAction(b *bytes.Buffer, index, typ, id string, doc []byte) {
	meta, _ := json.Marshal(action{actionMeta{Index: index, Type: typ, ID: id}}) // strings only: cannot fail
	b.Write(meta)
	b.WriteByte('\n')
	b.Write(doc)
	b.WriteByte('\n')
}

// singleLine answers data as one line of JSON: whitespace between tokens
// (newlines of pretty-printed JSON, a trailing delimiter) removed. It
// fails when data is not one valid JSON value.
func singleLine(data []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(data))
	if err := json.Compact(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// bulkItem is one item of a _bulk response.
type bulkItem struct {
	Index  string
	ID     string
	Status int
	// Error is the item's "error" member as the cluster wrote it (an
	// object with type and reason, or a string from old servers).
	Error json.RawMessage
}

// failed reports whether the item was not indexed.
func (it bulkItem) failed() bool { return it.Status < 200 || it.Status > 299 || len(it.Error) > 0 }

// retryable reports whether a failed item may succeed later: the cluster
// was overloaded (429) or failed (5xx). Other failures (400 mapping
// errors, 403, 404, 409) are given up on at once.
func (it bulkItem) retryable() bool { return it.Status == 429 || it.Status >= 500 }

// message is the item's error as text: the error object's JSON, compact.
func (it bulkItem) message() string {
	if len(it.Error) == 0 {
		return "status " + strconv.Itoa(it.Status)
	}
	var s string
	if json.Unmarshal(it.Error, &s) == nil {
		if s == "" {
			return "status " + strconv.Itoa(it.Status)
		}
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, it.Error) == nil {
		return b.String()
	}
	return string(it.Error)
}

// errBulkResponse is a _bulk answer that is not the documented shape.
var errBulkResponse = errors.New("opensearch: malformed _bulk response")

// decodeBulkResponse decodes the body of a successful _bulk response:
//
//	{"took":3,"errors":true,"items":[{"index":{"_index":"i","_id":"1","status":201}}, ...]}
//
// Each item is an object with one member named after the action (index,
// create, update or delete) whose value has _index, _id, status and, for
// failed items, error.
func decodeBulkResponse(body []byte) ([]bulkItem, error) {
	var resp struct {
		Errors *bool                        `json:"errors"`
		Items  []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("%w: %v", errBulkResponse, err)
	}
	if resp.Items == nil {
		return nil, fmt.Errorf("%w: no items", errBulkResponse)
	}
	items := make([]bulkItem, len(resp.Items))
	for i, m := range resp.Items {
		if len(m) != 1 {
			return nil, fmt.Errorf("%w: item %d has %d members, want 1", errBulkResponse, i, len(m))
		}
		for _, raw := range m {
			var r struct {
				Index  *string         `json:"_index"`
				ID     *string         `json:"_id"`
				Status *int            `json:"status"`
				Error  json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, fmt.Errorf("%w: item %d: %v", errBulkResponse, i, err)
			}
			if r.Status == nil {
				return nil, fmt.Errorf("%w: item %d has no status", errBulkResponse, i)
			}
			it := bulkItem{Status: *r.Status}
			if r.Index != nil {
				it.Index = *r.Index
			}
			if r.ID != nil {
				it.ID = *r.ID
			}
			if len(r.Error) > 0 && string(r.Error) != "null" {
				it.Error = r.Error
			}
			items[i] = it
		}
	}
	return items, nil
}

// requestError renders the body of a failed _bulk request (status not
// 2xx) as an error message: the "error" member of the cluster's error
// document, else the body itself, at most 1 KiB.
func requestError(body []byte) string {
	var doc struct {
		Error json.RawMessage `json:"error"`
	}
	msg := bytes.TrimSpace(body)
	if json.Unmarshal(body, &doc) == nil && len(doc.Error) > 0 {
		var b bytes.Buffer
		if json.Compact(&b, doc.Error) == nil {
			msg = b.Bytes()
		}
	}
	const max = 1024
	if len(msg) > max {
		msg = msg[:max]
	}
	return string(msg)
}

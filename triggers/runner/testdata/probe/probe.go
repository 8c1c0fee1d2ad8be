// Command probe is the function the event source mapping end-to-end tests
// (triggers/runner/e2e_*_test.go) deploy. One handler, built two ways: as a
// kinesin WebAssembly module (main_wasip1.go, sdk.Start) and as a Lambda
// provided.al2023 bootstrap (main_lambda.go, aws-lambda-go's lambda.Start).
//
// It handles a KinesisTimeWindowEvent (which also decodes a plain
// KinesisEvent) and is driven by each record's data, a JSON object:
//
//	{"fail":true}       return an error: the whole batch fails
//	{"partial":true}    report this record in batchItemFailures
//	{"badItem":true}    report an itemIdentifier that is not in the batch
//	{"emptyItem":true}  report an empty itemIdentifier
//	{"sum":N}           with a window, add N to state["sum"]
//	{"big":N}           with a window, return a state of N more bytes
//	{"sleepMs":N}       sleep N ms before answering
//	{"resp":"null"|"empty"|"nullList"|"emptyList"}
//	                    (Lambda build) answer exactly null, {},
//	                    {"batchItemFailures":null} or {"batchItemFailures":[]}
//
// Anything else (or data that is not JSON) succeeds. Every invocation
// emits one line "PROBE {json}" describing what it got (see Line) to
// stdout, the function's log; the Lambda build also appends it to the file
// named by $OUT. With RAW=1 the Lambda build also
// writes the first raw event it sees to $OUT.raw.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Marker starts every line the probe emits.
const Marker = "PROBE "

// Line is what one invocation reports (decoded by harness_test.go).
type Line struct {
	Fn             string            `json:"fn"`
	Shard          string            `json:"shard"`
	Seqs           []string          `json:"seqs"`
	Keys           []string          `json:"keys"`
	Data           []string          `json:"data"`
	Arrivals       []int64           `json:"arrivals"` // Unix ms
	Window         *Window           `json:"window,omitempty"`
	State          map[string]string `json:"state"` // as received; long values summarised
	OutState       map[string]string `json:"outState,omitempty"`
	Final          bool              `json:"final"`
	Early          bool              `json:"early"`
	EventSourceARN string            `json:"eventSourceARN"`
	Fields         map[string]any    `json:"fields,omitempty"`
	Failed         []string          `json:"failed,omitempty"`
	Error          string            `json:"error,omitempty"`
	T0             int64             `json:"t0"` // Unix ns at start and end
	T1             int64             `json:"t1"`
}

// Window is the invocation's tumbling window in Unix milliseconds.
type Window struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

type command struct {
	Fail      bool   `json:"fail"`
	Partial   bool   `json:"partial"`
	BadItem   bool   `json:"badItem"`
	EmptyItem bool   `json:"emptyItem"`
	Sum       int    `json:"sum"`
	Big       int    `json:"big"`
	SleepMs   int    `json:"sleepMs"`
	Resp      string `json:"resp"`
}

// emit writes one line; set by the build.
var emit func(b []byte)

// handle is the shared handler. resp reports the raw response override of
// the last record asking for one ("" when none).
func handle(_ context.Context, ev events.KinesisTimeWindowEvent) (out events.KinesisTimeWindowEventResponse, resp string, err error) {
	line := Line{
		Fn: os.Getenv("FUNC_TAG"), Shard: ev.ShardID, EventSourceARN: ev.EventSourceARN,
		Final: ev.IsFinalInvokeForWindow, Early: ev.IsWindowTerminatedEarly,
		State: summarise(ev.State), T0: time.Now().UnixNano(),
		Seqs: []string{}, Keys: []string{}, Data: []string{}, Arrivals: []int64{},
	}
	windowed := !ev.Window.Start.IsZero() || !ev.Window.End.IsZero()
	if windowed {
		line.Window = &Window{Start: ev.Window.Start.UnixMilli(), End: ev.Window.End.UnixMilli()}
	}
	state := map[string]string{}
	for k, v := range ev.State {
		state[k] = v
	}
	out.BatchItemFailures = []events.KinesisBatchItemFailure{}
	sleep := 0
	for i, r := range ev.Records {
		k := r.Kinesis
		if line.Shard == "" {
			line.Shard, _, _ = strings.Cut(r.EventID, ":")
		}
		if line.EventSourceARN == "" {
			line.EventSourceARN = r.EventSourceArn
		}
		if i == 0 {
			line.Fields = map[string]any{
				"eventSource": r.EventSource, "eventVersion": r.EventVersion, "eventID": r.EventID,
				"eventName": r.EventName, "awsRegion": r.AwsRegion, "invokeIdentityArn": r.InvokeIdentityArn,
				"eventSourceARN": r.EventSourceArn, "kinesisSchemaVersion": k.KinesisSchemaVersion,
				"approximateArrivalTimestamp": float64(k.ApproximateArrivalTimestamp.UnixNano()) / 1e9,
			}
		}
		line.Seqs = append(line.Seqs, k.SequenceNumber)
		line.Keys = append(line.Keys, k.PartitionKey)
		line.Arrivals = append(line.Arrivals, k.ApproximateArrivalTimestamp.UnixMilli())
		if len(k.Data) > 512 {
			line.Data = append(line.Data, "len:"+strconv.Itoa(len(k.Data)))
		} else {
			line.Data = append(line.Data, string(k.Data))
		}
		var c command
		if json.Unmarshal(k.Data, &c) != nil {
			continue
		}
		switch {
		case c.Fail:
			err = errors.New("probe: record " + k.SequenceNumber + " asked to fail")
		case c.Partial:
			out.BatchItemFailures = append(out.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: k.SequenceNumber})
		case c.BadItem:
			out.BatchItemFailures = append(out.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: "4" + k.SequenceNumber})
		case c.EmptyItem:
			out.BatchItemFailures = append(out.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: ""})
		}
		if c.Sum != 0 {
			n, _ := strconv.Atoi(state["sum"])
			state["sum"] = strconv.Itoa(n + c.Sum)
		}
		if c.Big > 0 {
			state["big"] = strings.Repeat("x", c.Big)
		}
		sleep += c.SleepMs
		if c.Resp != "" {
			resp = c.Resp
		}
	}
	if sleep > 0 {
		time.Sleep(time.Duration(sleep) * time.Millisecond)
	}
	if windowed {
		// A windowed function must always answer a state; Lambda counts
		// an answer without one as a failure.
		out.State = state
		line.OutState = summarise(state)
	}
	for _, f := range out.BatchItemFailures {
		line.Failed = append(line.Failed, f.ItemIdentifier)
	}
	if err != nil {
		line.Error = err.Error()
	}
	line.T1 = time.Now().UnixNano()
	b, merr := json.Marshal(line)
	if merr != nil {
		b = []byte(fmt.Sprintf(`{"error":%q}`, merr.Error()))
	}
	emit(append([]byte(Marker), b...))
	return out, resp, err
}

// summarise replaces long state values by "len:N" so lines stay short.
func summarise(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	s := make(map[string]string, len(m))
	for k, v := range m {
		if len(v) > 64 {
			v = "len:" + strconv.Itoa(len(v))
		}
		s[k] = v
	}
	return s
}

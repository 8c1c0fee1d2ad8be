package runner_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kinesin/kinesin/internal/testutil"
)

// windowUnits is the tumbling window of these tests in
// TumblingWindowInSeconds: 100 × TriggerTimeUnit = 1 s, so that windows
// are whole seconds as on AWS (an event's window bounds are RFC 3339 times
// of whole seconds there).
const windowUnits = 100

// TestTumblingWindows: with TumblingWindowInSeconds each invocation
// carries its window, aligned on multiples of the window length by the
// records' arrival times, and the state the previous invocation of the
// window returned; after the window Lambda makes a final invocation with
// isFinalInvokeForWindow and the window's final state, and the next window
// starts with an empty state
// (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html).
func TestTumblingWindows(t *testing.T) {
	forKinds(t, func(t *testing.T, e *env, kind string) {
		stream := e.stream(t, "window", 1)
		f := e.deploy(t, kind, nil)
		length := windowUnits * unit

		// Two windows' records wait in the stream: the first read holds
		// both, and the first window's final call comes before the
		// second window's records.
		var entries []entry
		for i := 1; i <= 5; i++ {
			entries = append(entries, entry{Key: "k", Msg: msg{"id": "a-" + strconv.Itoa(i), "sum": i}})
		}
		a := e.putMany(t, stream, entries)
		next := a[len(a)-1].At.Truncate(length).Add(length)
		testutil.Eventually(t, 2*length, "the next window", func() bool { return time.Now().After(next) })
		e.putMany(t, stream, []entry{{Key: "k", Msg: msg{"id": "b-1", "sum": 10}}, {Key: "k", Msg: msg{"id": "b-2", "sum": 20}}})

		in := kinesisMapping(f, stream, 2)
		in.TumblingWindowInSeconds = aws.Int32(windowUnits)
		e.mapping(t, in)
		f.await(t, wait, "the final invocations of two windows", func(v []invocation) bool { return finals(v) >= 2 })
		// A window whose records come while the mapping runs closes when
		// its time is up.
		e.putOne(t, stream, "k", msg{"id": "c-1", "sum": 100})
		v := f.await(t, wait, "the final invocation of the third window", func(v []invocation) bool { return finals(v) >= 3 })

		windows := checkWindows(t, v, length.Milliseconds())
		if len(windows) != 3 {
			t.Fatalf("records went to %d windows, want 3:\n%s", len(windows), dump(v))
		}
		for i, want := range []int{15, 30, 100} {
			if got := windows[i].total; got != want {
				t.Errorf("window %d: final state sum %d, want %d:\n%s", i, got, want, dump(v))
			}
		}
		if n := len(windows[0].invs); n != 4 {
			t.Errorf("the first window had %d invocations, want 4: its 5 records in batches of 2 (BatchSize), and a final one", n)
		}
		d := delivered(v)
		for _, id := range []string{"a-1", "a-2", "a-3", "a-4", "a-5", "b-1", "b-2", "c-1"} {
			if d[id] != 1 {
				t.Errorf("%s delivered %d times, want once", id, d[id])
			}
		}
	})
}

func finals(v []invocation) int {
	n := 0
	for _, inv := range v {
		if inv.Final {
			n++
		}
	}
	return n
}

// window is what checkWindows found of one window.
type window struct {
	start int64
	invs  []invocation
	total int // the sum in the final state
}

// checkWindows checks each invocation's window against the length (ms)
// and the records' arrivals, and the state chain of each window: empty at
// first, each invocation gets what the one before returned, one final
// invocation last. It returns the windows in order.
func checkWindows(t *testing.T, v []invocation, length int64) []window {
	t.Helper()
	var out []window
	for _, inv := range byStart(v) {
		if inv.Error != "" {
			t.Errorf("invocation failed: %s", inv)
			continue
		}
		w := inv.Window
		if w == nil {
			t.Errorf("invocation without a window: %s", inv)
			continue
		}
		if w.End-w.Start != length || w.Start%length != 0 {
			t.Errorf("window [%d,%d) is not %d ms aligned on multiples of its length", w.Start, w.End, length)
		}
		for _, a := range inv.Arrivals {
			if a < w.Start || a >= w.End {
				t.Errorf("a record that arrived at %d is in window [%d,%d)", a, w.Start, w.End)
			}
		}
		if len(out) == 0 || out[len(out)-1].start != w.Start {
			if len(out) > 0 && out[len(out)-1].start > w.Start {
				t.Errorf("window %d after window %d", w.Start, out[len(out)-1].start)
			}
			out = append(out, window{start: w.Start})
		}
		cur := &out[len(out)-1]
		if len(cur.invs) == 0 {
			if len(inv.State) != 0 {
				t.Errorf("the first invocation of window %d got state %v, want an empty state", w.Start, inv.State)
			}
		} else {
			prev := cur.invs[len(cur.invs)-1]
			if prev.Final {
				t.Errorf("an invocation of window %d after its final one: %s", w.Start, inv)
			}
			if !sameState(inv.State, prev.OutState) {
				t.Errorf("window %d: an invocation got state %v, want %v that the one before returned", w.Start, inv.State, prev.OutState)
			}
		}
		cur.invs = append(cur.invs, inv)
		if inv.Final {
			cur.total, _ = strconv.Atoi(inv.OutState["sum"])
		}
	}
	for _, w := range out {
		if !w.invs[len(w.invs)-1].Final {
			t.Errorf("window %d has no final invocation (isFinalInvokeForWindow)", w.start)
		}
	}
	if t.Failed() {
		t.Logf("invocations:\n%s", dump(v))
	}
	return out
}

func sameState(a, b map[string]string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestTumblingWindowTerminatedEarly: a state over 1 MB ends the window
// early: Lambda sets isWindowTerminatedEarly, and the window goes on with a
// fresh state (aws-lambda-go events.TimeWindowProperties;
// https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html).
func TestTumblingWindowTerminatedEarly(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	stream := e.stream(t, "window-big", 1)
	f := e.deploy(t, kindLambda, nil)
	in := kinesisMapping(f, stream, 1)
	in.TumblingWindowInSeconds = aws.Int32(windowUnits)
	e.mapping(t, in)
	e.putMany(t, stream, []entry{
		{Key: "k", Msg: msg{"id": "big", "big": 1_100_000}},
		{Key: "k", Msg: msg{"id": "s-1", "sum": 1}},
		{Key: "k", Msg: msg{"id": "s-2", "sum": 2}},
	})
	v := f.await(t, wait, "the records and a final invocation", func(v []invocation) bool {
		v = byStart(v)
		return delivered(v)["s-2"] > 0 && v[len(v)-1].Final
	})
	v = byStart(v)
	early := -1
	for i, inv := range v {
		if inv.Early {
			early = i
			break
		}
	}
	if early < 0 {
		t.Fatalf("no invocation with isWindowTerminatedEarly after a 1.1 MB state:\n%s", dump(v))
	}
	var after []invocation
	for _, inv := range v[early+1:] {
		if inv.Window != nil && v[early].Window != nil && inv.Window.Start == v[early].Window.Start {
			after = append(after, inv)
		}
	}
	if len(after) == 0 {
		t.Fatalf("the window did not go on after it was terminated early:\n%s", dump(v))
	}
	if _, ok := after[0].State["big"]; ok {
		t.Errorf("after the early termination the window went on with the old state %v, want a fresh one", after[0].State)
	}
	if d := delivered(v); d["s-1"] != 1 || d["s-2"] != 1 {
		t.Errorf("records after the big state delivered %d and %d times, want once:\n%s", d["s-1"], d["s-2"], dump(v))
	}
}

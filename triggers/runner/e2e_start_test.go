package runner_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/testutil"
)

// Hash keys of the two shards of a 2-shard stream.
var halves = []string{"0", "340282366920938463463374607431768211455"}

// TestStartingPositions: TRIM_HORIZON reads what the stream holds,
// LATEST only what is put after CreateEventSourceMapping returned (even
// before the mapping is Enabled), AT_TIMESTAMP what arrived from that time
// on (StartingPosition,
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
func TestStartingPositions(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	stream := e.stream(t, "start", 2)
	trim, latest, atTime := e.deploy(t, kindLambda, nil), e.deploy(t, kindLambda, nil), e.deploy(t, kindLambda, nil)
	putGroup := func(prefix string) {
		var entries []entry
		for i := range 4 {
			entries = append(entries, entry{Key: prefix, Hash: halves[i%2], Msg: msg{"id": fmt.Sprintf("%s-%d", prefix, i)}})
		}
		e.putMany(t, stream, entries)
	}

	putGroup("before")
	mark := time.Now()
	testutil.Eventually(t, time.Second, "the clock to move on", func() bool { return time.Since(mark) > 20*time.Millisecond })
	putGroup("mid")

	e.createMapping(t, kinesisMapping(trim, stream, 100))
	at := kinesisMapping(atTime, stream, 100)
	at.StartingPosition = ltypes.EventSourcePositionAtTimestamp
	at.StartingPositionTimestamp = aws.Time(mark.Add(10 * time.Millisecond).Truncate(time.Millisecond))
	e.createMapping(t, at)
	lt := kinesisMapping(latest, stream, 100)
	lt.StartingPosition = ltypes.EventSourcePositionLatest
	uuid := e.createMapping(t, lt)
	// Right after CreateEventSourceMapping returned, before Enabled.
	putGroup("after")
	e.awaitState(t, uuid, "Enabled")
	putGroup("final")

	for _, c := range []struct {
		name string
		f    *fn
		want []string
	}{
		{"TRIM_HORIZON", trim, []string{"before", "mid", "after", "final"}},
		{"AT_TIMESTAMP", atTime, []string{"mid", "after", "final"}},
		{"LATEST", latest, []string{"after", "final"}},
	} {
		var want []string
		for _, p := range c.want {
			want = append(want, ids(p, 4)...)
		}
		v := c.f.awaitIDs(t, want...)
		// The "final" records, last on both shards, arrived: anything
		// earlier would have come before them.
		var got []string
		for id, n := range seen(v) {
			got = append(got, id)
			if n != 1 {
				t.Errorf("%s: %s delivered %d times", c.name, id, n)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: delivered %v, want %v", c.name, got, want)
		}
	}
}

package runner_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestDisableEnableUpdateDelete: once a mapping reads Disabled its function
// is invoked no more; enabled again it resumes from its checkpoint without
// loss or repeats; a new BatchSize takes effect; a deleted mapping invokes
// nothing more (UpdateEventSourceMapping, DeleteEventSourceMapping; State,
// https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html).
// A second mapping on the same stream is the clock that says when the
// first would have delivered.
func TestDisableEnableUpdateDelete(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	stream := e.stream(t, "lifecycle", 1)
	f, ref := e.deploy(t, kindLambda, nil), e.deploy(t, kindLambda, nil)
	uuid := e.mapping(t, kinesisMapping(f, stream, 100))
	e.mapping(t, kinesisMapping(ref, stream, 100))
	update := func(in *lambda.UpdateEventSourceMappingInput) {
		t.Helper()
		in.UUID = aws.String(uuid)
		if _, err := e.lam.UpdateEventSourceMapping(ctx, in); err != nil {
			t.Fatalf("UpdateEventSourceMapping: %v", err)
		}
	}

	// Disable while records keep coming.
	stop, done := make(chan struct{}), make(chan []string)
	go func() {
		var ids []string
		tick := time.NewTicker(3 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- ids
				return
			case <-tick.C:
			}
			id := fmt.Sprintf("w-%d", i)
			data, _ := json.Marshal(msg{"id": id})
			if _, err := e.kin.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("k"), Data: data}); err != nil {
				t.Errorf("PutRecord: %v", err)
				continue
			}
			ids = append(ids, id)
		}
	}()
	f.await(t, wait, "records flowing", func(v []invocation) bool { return len(seen(v)) >= 5 })
	update(&lambda.UpdateEventSourceMappingInput{Enabled: aws.Bool(false)})
	e.awaitState(t, uuid, "Disabled")
	disabled := time.Now()
	close(stop)
	written := <-done
	all := append(slices.Clone(written), "x-1", "x-2", "x-3", "x-4")
	for _, id := range all[len(written):] {
		e.putOne(t, stream, "k", msg{"id": id})
	}
	ref.awaitIDs(t, all...)
	before := f.invocations(t)
	for _, inv := range before {
		if at := time.Unix(0, inv.T0); at.After(disabled) {
			t.Errorf("an invocation started %v after the mapping read Disabled: %s", at.Sub(disabled), inv)
		}
	}

	update(&lambda.UpdateEventSourceMappingInput{BatchSize: aws.Int32(2)})
	got := e.awaitState(t, uuid, "Disabled")
	if aws.ToInt32(got.BatchSize) != 2 {
		t.Errorf("BatchSize %d after the update, want 2", aws.ToInt32(got.BatchSize))
	}
	update(&lambda.UpdateEventSourceMappingInput{Enabled: aws.Bool(true)})
	e.awaitState(t, uuid, "Enabled")
	v := f.awaitIDs(t, all...)
	for id, n := range seen(v) {
		if n != 1 {
			t.Errorf("%s delivered %d times; a disabled and enabled mapping resumes from its checkpoint", id, n)
		}
	}
	// Every record left was waiting: batches of 2, the last maybe of 1.
	after := v[len(before):]
	for i, inv := range after {
		if len(inv.Seqs) != 2 && (i < len(after)-1 || len(inv.Seqs) != 1) {
			t.Errorf("after BatchSize became 2 the waiting records came in batches\n%s", dump(after))
			break
		}
	}

	e.deleteMapping(t, uuid, true)
	e.putOne(t, stream, "k", msg{"id": "x-5"})
	ref.awaitIDs(t, "x-5")
	if n := seen(f.invocations(t))["x-5"]; n != 0 {
		t.Errorf("a deleted mapping invoked its function")
	}
}

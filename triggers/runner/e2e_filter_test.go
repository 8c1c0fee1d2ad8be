package runner_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestFilterCriteria: only records matching a mapping's filters reach its
// function; the others are skipped and the mapping moves past them
// ("Using event filtering with a Kinesis event source",
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html),
// for a Lambda pattern and for kinesin's CEL extension.
func TestFilterCriteria(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	stream := e.stream(t, "filter", 1)
	withFilter := func(pattern string) *fn {
		f := e.deploy(t, kindLambda, nil)
		in := kinesisMapping(f, stream, 10)
		in.FilterCriteria = &ltypes.FilterCriteria{Filters: []ltypes.Filter{{Pattern: aws.String(pattern)}}}
		e.mapping(t, in)
		return f
	}
	orders := withFilter(`{"data":{"type":["order"]}}`)
	big := withFilter(`cel:data.amount > 10`)

	e.putMany(t, stream, []entry{
		{Key: "k", Msg: msg{"id": "f-0", "type": "order", "amount": 5}},
		{Key: "k", Msg: msg{"id": "f-1", "type": "refund", "amount": 50}},
		{Key: "k", Raw: []byte("not json")},
		{Key: "k", Msg: msg{"id": "f-3", "type": "order", "amount": 20}},
	})
	var noise []entry
	for i := range 30 {
		noise = append(noise, entry{Key: "k", Msg: msg{"id": fmt.Sprintf("n-%d", i), "type": "noise", "amount": 1}})
	}
	e.putMany(t, stream, noise)
	e.putOne(t, stream, "k", msg{"id": "f-4", "type": "order", "amount": 11})

	for _, c := range []struct {
		name string
		f    *fn
		want []string
	}{
		{"pattern", orders, []string{"f-0", "f-3", "f-4"}},
		{"cel", big, []string{"f-1", "f-3", "f-4"}},
	} {
		v := c.f.awaitIDs(t, c.want...)
		var got []string
		for _, inv := range v {
			got = append(got, inv.ids()...)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: delivered %v, want %v", c.name, got, c.want)
		}
	}
}

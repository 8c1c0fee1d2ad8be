package runner_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestReportBatchItemFailures: with FunctionResponseTypes
// [ReportBatchItemFailures] the function's batchItemFailures set the
// checkpoint: the batch is retried from the reported record (the lowest
// when several are), an empty or null list or response is a success, an
// identifier that is empty or not in the batch fails the whole batch, and
// without the setting the response is ignored
// (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html).
func TestReportBatchItemFailures(t *testing.T) {
	forKinds(t, func(t *testing.T, e *env, kind string) {
		// setup puts n records r-0… (with the extra commands of special)
		// as one batch, behind a mapping with the given retries and an
		// on-failure destination.
		setup := func(t *testing.T, n int, special map[int]msg, retries int32, report bool) (*fn, []put, string, string) {
			stream, dest := e.stream(t, "rbif", 1), e.stream(t, "rbif-dlq", 1)
			f := e.deploy(t, kind, nil)
			in := kinesisMapping(f, stream, 10)
			in.MaximumRetryAttempts = aws.Int32(retries)
			in.DestinationConfig = onFailure(dest)
			if report {
				in.FunctionResponseTypes = []ltypes.FunctionResponseType{ltypes.FunctionResponseTypeReportBatchItemFailures}
			}
			e.mapping(t, in)
			var entries []entry
			for i := range n {
				m := msg{"id": fmt.Sprintf("r-%d", i)}
				for k, v := range special[i] {
					m[k] = v
				}
				entries = append(entries, entry{Key: "k", Msg: m})
			}
			return f, e.putMany(t, stream, entries), stream, dest
		}
		seqs := func(p []put) []string {
			var s []string
			for _, x := range p {
				s = append(s, x.Seq)
			}
			return s
		}
		// finish puts a last record and waits for it: everything before
		// it is done.
		finish := func(t *testing.T, f *fn, stream string) []invocation {
			e.putOne(t, stream, "k", msg{"id": "after"})
			v := f.awaitIDs(t, "after")
			if n := seen(v)["after"]; n != 1 {
				t.Errorf("the record after the batch was delivered %d times", n)
			}
			return v
		}

		t.Run("ResumesAtReportedRecord", func(t *testing.T) {
			t.Parallel()
			f, puts, stream, dest := setup(t, 8, map[int]msg{3: {"partial": true}}, 1, true)
			fails := e.awaitFailures(t, dest, 1)
			v := finish(t, f, stream)
			tries := withID(v, "r-3")
			if len(tries) != 2 {
				t.Fatalf("the batch was invoked %d times, want 2 (MaximumRetryAttempts 1):\n%s", len(tries), dump(v))
			}
			if !slices.Equal(tries[0].Seqs, seqs(puts)) {
				t.Errorf("first invocation %v, want all 8 records", tries[0].ids())
			}
			if !slices.Equal(tries[1].Seqs, seqs(puts[3:])) {
				t.Errorf("after r-3 was reported the retry held %v, want r-3…r-7", tries[1].ids())
			}
			if len(fails) != 1 {
				t.Fatalf("%d on-failure records, want 1: %v", len(fails), fails)
			}
			// Records before the reported one succeeded: the discarded
			// batch starts at r-3.
			checkFailureRecord(t, fails[0], f, stream, "RetryAttemptsExhausted", puts[3:])
		})

		t.Run("LowestReportedWins", func(t *testing.T) {
			t.Parallel()
			f, puts, stream, dest := setup(t, 8, map[int]msg{5: {"partial": true}, 2: {"partial": true}}, 1, true)
			e.awaitFailures(t, dest, 1)
			v := finish(t, f, stream)
			tries := withID(v, "r-2")
			if len(tries) != 2 || !slices.Equal(tries[1].Seqs, seqs(puts[2:])) {
				t.Errorf("with r-2 and r-5 reported, want a retry from r-2:\n%s", dump(v))
			}
		})

		t.Run("SuccessShapes", func(t *testing.T) {
			t.Parallel()
			shapes := []string{"null", "empty", "nullList", "emptyList"}
			special := map[int]msg{}
			for i, s := range shapes {
				special[i] = msg{"resp": s}
			}
			f, _, stream, dest := setup(t, len(shapes), special, 2, true)
			v := finish(t, f, stream)
			for i, s := range shapes {
				if n := seen(v)[fmt.Sprintf("r-%d", i)]; n != 1 {
					t.Errorf("answer %s: the record was sent %d times, want once (success)", s, n)
				}
			}
			if fails := e.failures(t, dest); len(fails) != 0 {
				t.Errorf("on-failure records for successful batches: %v", fails)
			}
		})

		for _, c := range []struct{ name, command string }{
			{"UnknownItemIdentifierFailsBatch", "badItem"},
			{"EmptyItemIdentifierFailsBatch", "emptyItem"},
		} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				f, puts, stream, dest := setup(t, 4, map[int]msg{1: {c.command: true}}, 1, true)
				fails := e.awaitFailures(t, dest, 1)
				v := finish(t, f, stream)
				tries := withID(v, "r-0")
				if len(tries) != 2 {
					t.Errorf("the batch was invoked %d times, want 2 (whole batch failed, 1 retry):\n%s", len(tries), dump(v))
				}
				for _, inv := range tries {
					if !slices.Equal(inv.Seqs, seqs(puts)) {
						t.Errorf("invocation %v, want the whole batch again", inv.ids())
					}
				}
				if len(fails) != 1 {
					t.Fatalf("%d on-failure records, want 1: %v", len(fails), fails)
				}
				checkFailureRecord(t, fails[0], f, stream, "RetryAttemptsExhausted", puts)
			})
		}

		t.Run("IgnoredWithoutReportBatchItemFailures", func(t *testing.T) {
			t.Parallel()
			f, _, stream, dest := setup(t, 8, map[int]msg{3: {"partial": true}}, 1, false)
			v := finish(t, f, stream)
			if n := len(withID(v, "r-0")); n != 1 {
				t.Errorf("the batch was invoked %d times, want once: its batchItemFailures must be ignored:\n%s", n, dump(v))
			}
			if fails := e.failures(t, dest); len(fails) != 0 {
				t.Errorf("on-failure records: %v", fails)
			}
		})
	})
}

// withID are the invocations that carried id.
func withID(v []invocation, id string) []invocation {
	var out []invocation
	for _, inv := range v {
		if inv.has(id) {
			out = append(out, inv)
		}
	}
	return out
}

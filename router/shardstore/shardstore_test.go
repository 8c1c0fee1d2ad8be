package shardstore

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"
)

func TestSeqRoundTrip(t *testing.T) {
	cases := []struct {
		shard int
		pos   Position
	}{
		{0, Position{}}, {0, Position{1, 0}}, {7, Position{123456789, 499}}, {1<<31 - 1, Position{1<<63 - 1, 1<<16 - 1}},
	}
	prev := ""
	for _, c := range cases {
		s := FormatSeq(c.shard, c.pos)
		if len(s) != 56 {
			t.Fatalf("%v: %q is %d digits", c, s, len(s))
		}
		shard, pos, err := ParseSeq(s)
		if err != nil || shard != c.shard || pos != c.pos {
			t.Fatalf("%v: parsed back as %d %v %v", c, shard, pos, err)
		}
		if s <= prev {
			t.Fatalf("%q does not sort after %q", s, prev)
		}
		prev = s
	}
	var f SeqFormatter
	f.Reset(3, 42)
	for i := uint32(0); i < 1000; i += 37 {
		if got, want := f.Format(i), FormatSeq(3, Position{42, i}); got != want {
			t.Fatalf("formatter %d: %s want %s", i, got, want)
		}
	}
}

func TestUniformRangesCoverKeySpace(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 100} {
		r := UniformRanges(n)
		if r[0][0] != (HashKey{}) || r[n-1][1] != MaxHashKey {
			t.Fatalf("%d: ends %v %v", n, r[0][0], r[n-1][1])
		}
		for i := 1; i < n; i++ {
			next := new(big.Int).Add(r[i-1][1].Big(), big.NewInt(1))
			if next.Cmp(r[i][0].Big()) != 0 {
				t.Fatalf("%d: gap between range %d and %d", n, i-1, i)
			}
		}
	}
}

func TestHashPartitionKey(t *testing.T) {
	// md5("a") = 0cc175b9c0f1b6a831c399e269772661
	want, _ := new(big.Int).SetString("0cc175b9c0f1b6a831c399e269772661", 16)
	if got := HashPartitionKey("a").Big(); got.Cmp(want) != 0 {
		t.Fatalf("hash of a: %v want %v", got, want)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(AppendBatch(nil, []string{"k", ""}, [][]byte{[]byte("data"), nil}))
	f.Add([]byte{1, 200})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := DecodeBatch(nil, b)
		if err != nil {
			return
		}
		keys := make([]string, len(recs))
		data := make([][]byte, len(recs))
		for i, r := range recs {
			keys[i], data[i] = string(r.Key), r.Data
		}
		if again := AppendBatch(nil, keys, data); !bytes.Equal(again, b) {
			t.Fatalf("decode/encode round trip changed %x into %x", b, again)
		}
	})
}

func FuzzParseSeq(f *testing.F) {
	f.Add(FormatSeq(1, Position{2, 3}))
	f.Add("49" + "0")
	f.Add("4999999999999999999999999999999999999999999999999999999")
	f.Fuzz(func(t *testing.T, s string) {
		shard, pos, err := ParseSeq(s)
		if err != nil {
			return
		}
		if again := FormatSeq(shard, pos); again != s {
			t.Fatalf("%q parsed as %d %v formats as %q", s, shard, pos, again)
		}
	})
}

// TestRetentionExpiresRecords stores records in a shard whose retention is
// shrunk to a fraction of a second and checks that JetStream drops them
// and that reads step over the gap.
func TestRetentionExpiresRecords(t *testing.T) {
	_, nc := startNATS(t, false)
	ctx := context.Background()
	s, err := Open(ctx, nc, Options{RetentionUnit: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := &Stream{Name: "r", Status: StatusActive, RetentionHours: 1, Shards: []Shard{{Index: 0, Parent: -1, AdjacentParent: -1, EndHash: MaxHashKey}}}
	if err := s.Create(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureShards(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := s.Append(ctx, st, 0, AppendBatch(nil, []string{"k"}, [][]byte{[]byte(fmt.Sprint(i))})); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Read(ctx, st, 0, Position{Msg: 1}, 100, 1<<20)
	if err != nil || len(res.Records) != 3 {
		t.Fatalf("before expiry: %v %+v", err, res)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err = s.Read(ctx, st, 0, Position{Msg: 1}, 100, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("records still readable after retention: %+v", res)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// New records after the gap are read from the old position.
	if _, err := s.Append(ctx, st, 0, AppendBatch(nil, []string{"k"}, [][]byte{[]byte("new")})); err != nil {
		t.Fatal(err)
	}
	res, err = s.Read(ctx, st, 0, Position{Msg: 1}, 100, 1<<20)
	if err != nil || len(res.Records) != 1 || string(res.Records[0].Data) != "new" || res.Records[0].Pos.Msg != 4 {
		t.Fatalf("after expiry: %v %+v", err, res)
	}
}

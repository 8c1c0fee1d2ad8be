package kinesis

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/router/shardstore"
)

const (
	maxDataBytes      = 10 << 20 // the model's limit on Data
	maxPutRecords     = 500
	maxPutRecordsSize = 5 << 20
	maxGetRecords     = 10000
	maxGetBytes       = 10 << 20
)

// entry is one record to store.
type entry struct {
	key  string
	data []byte
	hash shardstore.HashKey
}

// putResult is where a record went, or why it did not.
type putResult struct {
	shard int
	seq   string
	err   *awserr.Error
}

// entryHash computes a record's hash key from its explicit hash key or
// partition key.
func entryHash(key string, explicit *string) (shardstore.HashKey, error) {
	if explicit == nil {
		return shardstore.HashPartitionKey(key), nil
	}
	h, ok := shardstore.ParseHashKey(*explicit)
	if !ok {
		return h, awserr.InvalidArgument.New("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", *explicit)
	}
	return h, nil
}

// put stores entries, one append per shard touched, and reports each
// entry's sequence number or error in order. A shard closed by a
// concurrent reshard makes its entries go round again with fresh metadata.
func (s *Service) put(ctx context.Context, st *shardstore.Stream, entries []entry) []putResult {
	results := make([]putResult, len(entries))
	todo := make([]int, len(entries))
	for i := range todo {
		todo[i] = i
	}
	for attempt := 0; len(todo) > 0; attempt++ {
		groups := map[int][]int{}
		var order []int
		for _, i := range todo {
			sh, ok := st.Route(entries[i].hash)
			if !ok {
				results[i].err = awserr.InternalFailure.New("Internal service failure.")
				continue
			}
			if _, seen := groups[sh.Index]; !seen {
				order = append(order, sh.Index)
			}
			groups[sh.Index] = append(groups[sh.Index], i)
		}
		s.limitWrites(st, groups, entries, results)
		var retry []int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, shard := range order {
			idx := groups[shard]
			run := func() {
				closed := s.appendGroup(ctx, st, shard, idx, entries, results)
				if closed {
					mu.Lock()
					retry = append(retry, idx...)
					mu.Unlock()
				}
			}
			if len(order) == 1 {
				run()
				continue
			}
			wg.Add(1)
			go func() { defer wg.Done(); run() }()
		}
		wg.Wait()
		todo = todo[:0]
		for _, i := range retry {
			if results[i].err == nil {
				todo = append(todo, i)
			}
		}
		if len(todo) == 0 {
			break
		}
		fresh, err := s.store.GetFresh(ctx, st.Name)
		if err != nil || attempt >= 50 {
			for _, i := range todo {
				results[i].err = awserr.InternalFailure.New("Internal service failure.")
			}
			break
		}
		if attempt > 0 {
			// The child shards are still being created: wait a little.
			select {
			case <-time.After(time.Duration(attempt) * 10 * time.Millisecond):
			case <-ctx.Done():
			}
		}
		st = fresh
	}
	return results
}

// appendGroup stores the entries idx (all routed to shard), splitting the
// batch where it would pass the NATS payload limit. It reports whether the
// shard turned out to be closed, leaving those entries unwritten.
func (s *Service) appendGroup(ctx context.Context, st *shardstore.Stream, shard int, idx []int, entries []entry, results []putResult) (closed bool) {
	maxPayload := int(s.store.Conn().MaxPayload()) - 1024
	keys := make([]string, 0, len(idx))
	data := make([][]byte, 0, len(idx))
	var f shardstore.SeqFormatter
	for start := 0; start < len(idx); {
		keys, data = keys[:0], data[:0]
		size := 16
		end := start
		for end < len(idx) {
			e := &entries[idx[end]]
			if results[idx[end]].err != nil {
				break
			}
			n := len(e.key) + len(e.data) + 20
			if end > start && size+n > maxPayload {
				break
			}
			keys = append(keys, e.key)
			data = append(data, e.data)
			size += n
			end++
		}
		if end == start { // a throttled entry: skip it
			start++
			continue
		}
		buf := shardstore.AppendBatch(make([]byte, 0, shardstore.BatchLen(keys, data)), keys, data)
		msg, err := s.store.Append(ctx, st, shard, buf)
		if errors.Is(err, shardstore.ErrShardClosed) {
			return true
		}
		f.Reset(shard, msg)
		if err != nil && ctx.Err() == nil {
			s.log.Error("kinesis: append failed", "stream", st.Name, "shard", shard, "err", err)
		}
		for k, i := range idx[start:end] {
			if err != nil {
				results[i].err = awserr.InternalFailure.New("Internal service failure.")
				continue
			}
			results[i] = putResult{shard: shard, seq: f.Format(uint32(k))}
		}
		if err == nil {
			s.metrics.incoming(st.Name, shard, keys, data)
		}
		start = end
	}
	return false
}

func (s *Service) checkRecordSize(st *shardstore.Stream, key string, data []byte) *awserr.Error {
	if max := recordKiB(st) << 10; len(key)+len(data) > max {
		return awserr.InvalidArgument.New("Record size %d bytes (data plus partition key) exceeds the maximum record size of %d KiB for stream %s under account %s.", len(key)+len(data), recordKiB(st), st.Name, s.cfg.AccountID)
	}
	return nil
}

// checkRecord checks the members PutRecord and a PutRecords entry share;
// prefix is where the entry sits ("" for PutRecord).
func checkRecord(v *awserr.Violations, prefix string, data []byte, key, explicit *string) {
	if data == nil {
		v.Null(prefix + "data")
	} else if len(data) > maxDataBytes {
		v.Add(awserr.BlobValue(len(data)), prefix+"data", awserr.MaxLen(maxDataBytes))
	}
	checkLen(v, key, prefix+"partitionKey", 1, 256, true)
	checkPattern(v, explicit, prefix+"explicitHashKey", hashRe, hashPattern, false)
}

// checkPutRecords checks a PutRecords request; as in AWS, the stream
// reference comes after the records.
func checkPutRecords(v *awserr.Violations, in *putRecordsIn) {
	checkSize(v, in.Records != nil || in.hasRecords, len(in.Records), func() string {
		return awserr.ObjectListValue("com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry", len(in.Records))
	}, "records", 1, maxPutRecords, true)
	for i := range in.Records {
		r := &in.Records[i]
		checkRecord(v, "records."+strconv.Itoa(i+1)+".member.", r.Data, r.PartitionKey, r.ExplicitHashKey)
	}
	checkStreamRef(v, in.streamRef)
}

// readableStream resolves the stream a put writes to, refusing one that
// does not take data in its state.
func (s *Service) readableStream(r streamRef) (*shardstore.Stream, error) {
	st, err := s.stream(r)
	if err != nil {
		return nil, err
	}
	if err := s.readable(st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Service) putRecord(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *putRecordIn) {
		checkStreamRef(v, in.streamRef)
		checkRecord(v, "", in.Data, in.PartitionKey, in.ExplicitHashKey)
		checkSeqNum(v, in.SequenceNumberForOrdering, "sequenceNumberForOrdering")
	})
	if err != nil {
		return nil, err
	}
	st, err := s.readableStream(in.streamRef)
	if err != nil {
		return nil, err
	}
	h, err := entryHash(*in.PartitionKey, in.ExplicitHashKey)
	if err != nil {
		return nil, err
	}
	// Every append to a shard gets a higher sequence than the ones
	// acknowledged before it, so SequenceNumberForOrdering holds by
	// construction; it only has to be a sequence number.
	if sn := in.SequenceNumberForOrdering; sn != nil {
		if _, _, err := shardstore.ParseSeq(*sn); err != nil {
			return nil, awserr.InvalidArgument.New("ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.", *sn, st.Name, s.cfg.AccountID)
		}
	}
	if e := s.checkRecordSize(st, *in.PartitionKey, in.Data); e != nil {
		return nil, e
	}
	res := s.put(c.ctx, st, []entry{{key: *in.PartitionKey, data: in.Data, hash: h}})[0]
	if res.err != nil {
		return nil, res.err
	}
	return putRecordOut{ShardId: shardstore.ShardID(res.shard), SequenceNumber: res.seq, EncryptionType: encryption(st)}, nil
}

func encryption(st *shardstore.Stream) string {
	if st.EncryptionType == "KMS" {
		return "KMS"
	}
	return ""
}

func (s *Service) putRecords(c *call) (any, error) {
	in, err := decodePutRecords(c)
	if err != nil {
		return nil, err
	}
	if err := validate(in, checkPutRecords); err != nil {
		return nil, err
	}
	st, err := s.readableStream(in.streamRef)
	if err != nil {
		return nil, err
	}
	total := 0
	entries := make([]entry, len(in.Records))
	for i := range in.Records {
		r := &in.Records[i]
		h, err := entryHash(*r.PartitionKey, r.ExplicitHashKey)
		if err != nil {
			return nil, err
		}
		if e := s.checkRecordSize(st, *r.PartitionKey, r.Data); e != nil {
			return nil, e
		}
		total += len(r.Data) + len(*r.PartitionKey)
		entries[i] = entry{key: *r.PartitionKey, data: r.Data, hash: h}
	}
	if total > maxPutRecordsSize {
		return nil, awserr.InvalidArgument.New("Records size exceeds 5 MB limit")
	}
	results := s.put(c.ctx, st, entries)
	out := putRecordsOut{Records: make([]putRecordsResult, len(results)), EncryptionType: encryption(st)}
	for i, r := range results {
		if r.err != nil {
			out.FailedRecordCount++
			out.Records[i] = putRecordsResult{ErrorCode: r.err.Code, ErrorMessage: r.err.Message}
			continue
		}
		out.Records[i] = putRecordsResult{SequenceNumber: r.seq, ShardId: shardstore.ShardID(r.shard)}
	}
	s.metrics.putRecordsFailed(st.Name, out.FailedRecordCount)
	if c.enc == awsproto.JSON {
		return preEncoded(encodePutRecordsOut(&out)), nil
	}
	return out, nil
}

// iteratorTypes in the order AWS prints them.
var iteratorTypes = []string{"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"}

func (s *Service) shardNotFound(stream string, shard string) error {
	return awserr.ResourceNotFound.New("Shard %s in stream %s under account %s does not exist", shard, stream, s.cfg.AccountID)
}

// lookupShard resolves a shard id of a stream; missing words the error for
// a well-formed id of no shard (shardNotFound or noSuchShard).
func (s *Service) lookupShard(st *shardstore.Stream, id string, missing func(stream, shard string) error) (shardstore.Shard, error) {
	n, ok := parseShardID(id)
	if !ok {
		return shardstore.Shard{}, s.noSuchShard(st.Name, id)
	}
	if sh, found := st.Shard(n); found {
		return *sh, nil
	}
	return shardstore.Shard{}, missing(st.Name, shardstore.ShardID(n))
}

// startPosition turns an iterator type (with its sequence number or
// timestamp) into a position in a shard.
func (s *Service) startPosition(ctx context.Context, st *shardstore.Stream, sh shardstore.Shard, typ string, seq *string, at *ts) (shardstore.Position, error) {
	if bySeq := typ == "AT_SEQUENCE_NUMBER" || typ == "AFTER_SEQUENCE_NUMBER"; typ != "AT_TIMESTAMP" && bySeq != (seq != nil) {
		given := "no"
		if seq != nil {
			given = "also a"
		}
		return shardstore.Position{}, awserr.InvalidArgument.New("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "+
			"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and %s StartingSequenceNumber.", typ, given)
	}
	switch typ {
	case "TRIM_HORIZON":
		return shardstore.Position{Msg: 1}, nil
	case "LATEST":
		return s.store.Tip(ctx, st, sh.Index)
	case "AT_TIMESTAMP":
		if at == nil {
			return shardstore.Position{}, awserr.InvalidArgument.New("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		now := time.Now()
		if at.Time().After(now) {
			return shardstore.Position{}, awserr.InvalidArgument.New("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", at.Time().UnixMilli(), now.UnixMilli())
		}
		return s.store.AtTime(ctx, st, sh.Index, at.Time())
	}
	shard, pos, err := shardstore.ParseSeq(*seq)
	if err != nil {
		return pos, awserr.InvalidArgument.New("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", *seq, shardstore.ShardID(sh.Index), st.Name, s.cfg.AccountID)
	}
	if shard != sh.Index {
		return pos, awserr.InvalidArgument.New("Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardstore.ShardID(shard), shardstore.ShardID(sh.Index))
	}
	if pos.Msg == 0 {
		pos.Msg = 1
	} else if typ == "AFTER_SEQUENCE_NUMBER" {
		pos = pos.Next()
	}
	return pos, nil
}

func (s *Service) getShardIterator(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *getShardIteratorIn) {
		checkStreamRef(v, in.streamRef)
		checkName(v, in.ShardId, "shardId", 128, true)
		checkEnum(v, in.ShardIteratorType, "shardIteratorType", true, iteratorTypes...)
		checkSeqNum(v, in.StartingSequenceNumber, "startingSequenceNumber")
	})
	if err != nil {
		return nil, err
	}
	// AWS reads the shard id before it looks for the stream.
	name, err := s.refName(in.streamRef)
	if err != nil {
		return nil, err
	}
	n, ok := parseShardID(*in.ShardId)
	if !ok {
		return nil, s.noSuchShard(name, *in.ShardId)
	}
	st, ok := s.store.Get(name)
	if !ok {
		return nil, s.shardNotFound(name, shardstore.ShardID(n))
	}
	if err := s.readable(st); err != nil {
		return nil, err
	}
	sh, err := s.lookupShard(st, *in.ShardId, s.shardNotFound)
	if err != nil {
		return nil, err
	}
	pos, err := s.startPosition(c.ctx, st, sh, *in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	it := s.iters.encode(iterator{Created: time.Now(), Shard: sh.Index, Pos: pos, StreamID: st.ID, Stream: st.Name})
	return map[string]string{"ShardIterator": it}, nil
}

func (s *Service) childShards(st *shardstore.Stream, index int) []childShard {
	var out []childShard
	for _, ch := range st.Children(index) {
		parents := []string{shardstore.ShardID(ch.Parent)}
		if ch.AdjacentParent >= 0 {
			parents = append(parents, shardstore.ShardID(ch.AdjacentParent))
		}
		out = append(out, childShard{ShardId: shardstore.ShardID(ch.Index), ParentShards: parents,
			HashKeyRange: hashKeyRange{ch.StartHash.String(), ch.EndHash.String()}})
	}
	return out
}

func (s *Service) getRecords(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *getRecordsIn) {
		checkLen(v, in.ShardIterator, "shardIterator", 1, 512, true)
		checkRange(v, in.Limit, "limit", 1, maxGetRecords, false)
		checkARN(v, in.StreamARN, "streamARN", false)
	})
	if err != nil {
		return nil, err
	}
	it, err := s.iters.decode(*in.ShardIterator)
	if err != nil {
		return nil, awserr.InvalidArgument.New("Invalid ShardIterator.")
	}
	now := time.Now()
	if now.Sub(it.Created) > iteratorTTL {
		return nil, awserr.ExpiredIterator.New("Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			it.Created.Format(time.UnixDate), now.UTC().Format(time.UnixDate), iteratorTTL.Milliseconds())
	}
	st, ok := s.store.Get(it.Stream)
	if !ok || st.ID != it.StreamID || s.readable(st) != nil {
		return nil, s.shardNotFound(it.Stream, shardstore.ShardID(it.Shard))
	}
	if in.StreamARN != nil && *in.StreamARN != s.streamARN(st.Name) {
		return nil, awserr.InvalidArgument.New("StreamARN %s does not match the stream of the shard iterator.", *in.StreamARN)
	}
	if _, ok := st.Shard(it.Shard); !ok {
		return nil, s.shardNotFound(st.Name, shardstore.ShardID(it.Shard))
	}
	if err := s.limitRead(st, it.Shard); err != nil {
		return nil, err
	}
	res, err := s.store.Read(c.ctx, st, it.Shard, it.Pos, intOr(in.Limit, maxGetRecords), s.cfg.GetRecordsMaxBytes)
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	out := getRecordsOut{}
	if c.enc != awsproto.JSON {
		out.Records = s.recordsOut(st, it.Shard, res.Records)
	}
	if !res.CaughtUp && len(res.Records) > 0 {
		out.MillisBehindLatest = max(0, now.Sub(res.Records[len(res.Records)-1].Arrival).Milliseconds())
	}
	if res.End {
		out.ChildShards = nonNil(s.childShards(st, it.Shard))
	} else {
		next := s.iters.encode(iterator{Created: now, Shard: it.Shard, Pos: res.Next, StreamID: st.ID, Stream: st.Name})
		out.NextShardIterator = &next
	}
	s.metrics.read(st.Name, it.Shard, res.Records, out.MillisBehindLatest)
	if c.enc == awsproto.JSON {
		return preEncoded(encodeGetRecordsOut(&out, st, it.Shard, res.Records)), nil
	}
	return out, nil
}

// recordsOut converts stored records to the wire shape.
func (s *Service) recordsOut(st *shardstore.Stream, shard int, recs []shardstore.StoredRecord) []recordOut {
	out := make([]recordOut, len(recs))
	var f shardstore.SeqFormatter
	var batch uint64
	enc := encryption(st)
	for i, r := range recs {
		if i == 0 || r.Pos.Msg != batch {
			batch = r.Pos.Msg
			f.Reset(shard, batch)
		}
		out[i] = recordOut{SequenceNumber: f.Format(r.Pos.Index), ApproximateArrivalTimestamp: ts(r.Arrival),
			Data: r.Data, PartitionKey: string(r.Key), EncryptionType: enc}
	}
	return out
}

// PutRecord stores one record in the stream with ARN streamARN for another
// kinesin component (an event source mapping's on-failure destination),
// with the checks a PutRecord request gets; errors are Kinesis API errors.
func (s *Service) PutRecord(ctx context.Context, streamARN, partitionKey string, data []byte) (shardID, seq string, err error) {
	st, err := s.readableStream(streamRef{StreamARN: &streamARN})
	if err != nil {
		return "", "", err
	}
	if e := s.checkRecordSize(st, partitionKey, data); e != nil {
		return "", "", e
	}
	res := s.put(ctx, st, []entry{{key: partitionKey, data: data, hash: shardstore.HashPartitionKey(partitionKey)}})[0]
	if res.err != nil {
		return "", "", res.err
	}
	return shardstore.ShardID(res.shard), res.seq, nil
}

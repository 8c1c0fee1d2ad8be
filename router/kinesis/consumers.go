package kinesis

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/router/shardstore"
)

const (
	maxConsumers        = 20
	subscriptionTTL     = 5 * time.Minute
	subscribeHeartbeat  = 5 * time.Second
	subscribeMaxRecords = 10000
	subscribeMaxBytes   = 2 << 20
)

var consumerARNRe = regexp.MustCompile(`^(arn):aws.*:kinesis:.*:\d{12}:.*stream/[a-zA-Z0-9_.-]+/consumer/[a-zA-Z0-9_.-]+:[0-9]+$`)

const consumerARNPattern = `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`

func (s *Service) consumerOut(st *shardstore.Stream, c shardstore.Consumer, withStream bool) consumerOut {
	o := consumerOut{ConsumerName: c.Name, ConsumerARN: s.consumerARN(st.Name, c.Name, c.Created),
		ConsumerStatus: c.Status, ConsumerCreationTimestamp: ts(c.Created)}
	if withStream {
		o.StreamARN = s.streamARN(st.Name)
	}
	return o
}

func (s *Service) registerConsumer(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *consumerIn) {
		checkARN(v, in.StreamARN, "streamARN", true)
		checkName(v, in.ConsumerName, "consumerName", 128, true)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	cons := shardstore.Consumer{Name: *in.ConsumerName, Created: now, Status: "CREATING"}
	_, err = s.store.Update(c.ctx, st.Name, func(st *shardstore.Stream) error {
		if err := s.readable(st); err != nil {
			return err
		}
		for _, x := range st.Consumers {
			if x.Name == cons.Name {
				return awserr.ResourceInUse.New("Consumer %s under stream %s already exists for account %s.", cons.Name, st.Name, s.cfg.AccountID)
			}
		}
		if len(st.Consumers) >= maxConsumers {
			return awserr.LimitExceeded.New("Stream %s under account %s has reached the maximum number of consumers (%d).", st.Name, s.cfg.AccountID, maxConsumers)
		}
		st.Consumers = append(st.Consumers, cons)
		return nil
	})
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	s.bg.kick(st.Name)
	return map[string]any{"Consumer": s.consumerOut(st, cons, false)}, nil
}

// checkConsumerRef checks a reference to a consumer: its ARN, or a stream
// ARN and a name.
func checkConsumerRef(v *awserr.Violations, in *consumerIn) {
	checkARN(v, in.StreamARN, "streamARN", false)
	checkName(v, in.ConsumerName, "consumerName", 128, false)
	checkPattern(v, in.ConsumerARN, "consumerARN", consumerARNRe, consumerARNPattern, false)
}

// findConsumer resolves a consumer from its ARN, or from a stream ARN and
// a name. It checks the reference itself because SubscribeToShard's own
// checks leave the consumer ARN's pattern to it.
func (s *Service) findConsumer(in consumerIn) (*shardstore.Stream, shardstore.Consumer, error) {
	if err := validate(&in, checkConsumerRef); err != nil {
		return nil, shardstore.Consumer{}, err
	}
	var streamName, name string
	var created int64 = -1
	switch {
	case in.ConsumerARN != nil:
		n, err := s.nameFromARN(*in.ConsumerARN)
		if err != nil {
			return nil, shardstore.Consumer{}, err
		}
		streamName = n
		rest := (*in.ConsumerARN)[strings.Index(*in.ConsumerARN, "/consumer/")+len("/consumer/"):]
		i := strings.LastIndexByte(rest, ':')
		name = rest[:i]
		created, _ = strconv.ParseInt(rest[i+1:], 10, 64)
	case in.StreamARN != nil && in.ConsumerName != nil:
		n, err := s.nameFromARN(*in.StreamARN)
		if err != nil {
			return nil, shardstore.Consumer{}, err
		}
		streamName, name = n, *in.ConsumerName
	default:
		return nil, shardstore.Consumer{}, awserr.InvalidArgument.New("Either ConsumerARN or both ConsumerName and StreamARN must be provided.")
	}
	st, ok := s.store.Get(streamName)
	if ok {
		for _, c := range st.Consumers {
			if c.Name == name && (created < 0 || c.Created.Unix() == created) {
				return st, c, nil
			}
		}
	}
	return nil, shardstore.Consumer{}, awserr.ResourceNotFound.New("Consumer %s under stream %s not found for account %s.", name, streamName, s.cfg.AccountID)
}

// consumerInput decodes and resolves the consumer reference that
// DescribeStreamConsumer and DeregisterStreamConsumer take.
func (s *Service) consumerInput(c *call) (*shardstore.Stream, shardstore.Consumer, error) {
	in, err := input[consumerIn](c, nil)
	if err != nil {
		return nil, shardstore.Consumer{}, err
	}
	return s.findConsumer(*in)
}

func (s *Service) describeConsumer(c *call) (any, error) {
	st, cons, err := s.consumerInput(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ConsumerDescription": s.consumerOut(st, cons, true)}, nil
}

func (s *Service) deregisterConsumer(c *call) (any, error) {
	st, cons, err := s.consumerInput(c)
	if err != nil {
		return nil, err
	}
	_, err = s.store.Update(c.ctx, st.Name, func(st *shardstore.Stream) error {
		for i, x := range st.Consumers {
			if x.Name == cons.Name {
				st.Consumers[i].Status = "DELETING"
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	s.subs.endConsumer(s.consumerARN(st.Name, cons.Name, cons.Created))
	s.bg.kick(st.Name)
	return nil, nil
}

func (s *Service) listConsumers(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *listConsumersIn) {
		checkARN(v, in.StreamARN, "streamARN", true)
		checkRange(v, in.MaxResults, "maxResults", 1, 10000, false)
		checkLen(v, in.NextToken, "nextToken", 1, 1048576, false)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	after := -1
	if in.NextToken != nil {
		tok, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		if tok.Stream != st.Name {
			return nil, awserr.InvalidArgument.New("Invalid NextToken.")
		}
		after = tok.After
	}
	limit := intOr(in.MaxResults, 100)
	out := map[string]any{}
	list := []consumerOut{}
	for i, cons := range st.Consumers {
		if i <= after {
			continue
		}
		if len(list) == limit {
			out["NextToken"] = s.encodeToken(listShardsToken{Stream: st.Name, After: i - 1, Created: st.Created.UnixMilli()})
			break
		}
		list = append(list, s.consumerOut(st, cons, false))
	}
	out["Consumers"] = list
	return out, nil
}

// subscriptions tracks open SubscribeToShard streams: one per consumer and
// shard at a time. As in AWS, a new call within 5 seconds of the last one
// is refused; a later one takes over from the old subscription (whose
// client may be gone without the server having noticed yet).
type subscriptions struct {
	mu   sync.Mutex
	open map[string]*subscription // consumerARN|shard
}

type subscription struct {
	started time.Time
	cancel  context.CancelFunc
}

// resubscribeAfter is how soon a consumer may subscribe to a shard again.
const resubscribeAfter = 5 * time.Second

func newSubscriptions() *subscriptions {
	return &subscriptions{open: map[string]*subscription{}}
}

func (t *subscriptions) add(key string, cancel context.CancelFunc) (*subscription, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, busy := t.open[key]; busy {
		if time.Since(old.started) < resubscribeAfter {
			return nil, false
		}
		old.cancel()
	}
	sub := &subscription{started: time.Now(), cancel: cancel}
	t.open[key] = sub
	return sub, true
}

func (t *subscriptions) remove(key string, sub *subscription) {
	t.mu.Lock()
	if t.open[key] == sub {
		delete(t.open, key)
	}
	t.mu.Unlock()
}

func (t *subscriptions) endMatching(match func(key string) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, sub := range t.open {
		if match(k) {
			sub.cancel()
		}
	}
}

func (t *subscriptions) endConsumer(arn string) {
	t.endMatching(func(k string) bool { return strings.HasPrefix(k, arn+"|") })
}

func (t *subscriptions) endStream(name string) {
	t.endMatching(func(k string) bool { return strings.Contains(k, ":stream/"+name+"/consumer/") })
}

func (t *subscriptions) closeAll() { t.endMatching(func(string) bool { return true }) }

func (s *Service) subscribeToShard(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *subscribeIn) {
		if in.ConsumerARN == nil {
			v.Null("consumerARN")
		}
		checkName(v, in.ShardId, "shardId", 128, true)
		if in.StartingPosition == nil {
			v.Null("startingPosition")
		} else {
			checkEnum(v, in.StartingPosition.Type, "startingPosition.type", true, iteratorTypes...)
			checkSeqNum(v, in.StartingPosition.SequenceNumber, "startingPosition.sequenceNumber")
		}
	})
	if err != nil {
		return nil, err
	}
	st, cons, err := s.findConsumer(consumerIn{ConsumerARN: in.ConsumerARN})
	if err != nil {
		return nil, err
	}
	if cons.Status != "ACTIVE" {
		return nil, awserr.ResourceInUse.New("Consumer %s under stream %s is not ACTIVE, instead in state %s.", cons.Name, st.Name, cons.Status)
	}
	if err := s.readable(st); err != nil {
		return nil, err
	}
	sh, err := s.lookupShard(st, *in.ShardId, s.shardNotFound)
	if err != nil {
		return nil, err
	}
	sp := in.StartingPosition
	pos, err := s.startPosition(c.ctx, st, sh, *sp.Type, sp.SequenceNumber, sp.Timestamp)
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	key := *in.ConsumerARN + "|" + shardstore.ShardID(sh.Index)
	ctx, cancel := context.WithTimeout(context.Background(), subscriptionTTL)
	sub, ok := s.subs.add(key, cancel)
	if !ok {
		cancel()
		return nil, awserr.ResourceInUse.New("Another active subscription exists for this consumer: %s:%s:%s:%s", s.cfg.AccountID, st.Name, shardstore.ShardID(sh.Index), cons.Name)
	}
	enc := c.enc
	return &router.Response{
		Status: 200,
		Header: map[string]string{"Content-Type": "application/vnd.amazon.eventstream"},
		Stream: func(reqCtx context.Context, w router.StreamWriter) {
			defer s.subs.remove(key, sub)
			defer cancel()
			go func() {
				select {
				case <-reqCtx.Done():
					cancel()
				case <-ctx.Done():
				}
			}()
			s.pushShard(ctx, enc, w, st, sh.Index, pos)
		},
	}, nil
}

// pushShard is the body of a SubscribeToShard stream: the initial-response
// event, then a SubscribeToShardEvent whenever records arrive (and at least
// every few seconds), until the shard ends, the subscription expires or the
// client goes away.
func (s *Service) pushShard(ctx context.Context, enc awsproto.Encoding, w router.StreamWriter, st *shardstore.Stream, shard int, pos shardstore.Position) {
	ew := awsproto.NewEventWriter(w, enc)
	if ew.Event("initial-response", []byte("{}")) != nil || w.Flush() != nil {
		return
	}
	ring, stop, err := s.store.Watch(st, shard)
	if err != nil {
		_ = ew.Exception(awserr.InternalFailure.New("Internal service failure."))
		return
	}
	defer stop()
	heartbeat := time.NewTimer(subscribeHeartbeat)
	defer heartbeat.Stop()
	last := continuationBefore(shard, pos)
	due := false
	for {
		if cur, ok := s.store.Get(st.Name); !ok || cur.ID != st.ID {
			_ = ew.Exception(s.shardNotFound(st.Name, shardstore.ShardID(shard)).(*awserr.Error))
			_ = w.Flush()
			return
		} else {
			st = cur
		}
		res, err := s.store.Read(ctx, st, shard, pos, subscribeMaxRecords, subscribeMaxBytes)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("kinesis: subscription read", "stream", st.Name, "shard", shard, "err", err)
				_ = ew.Exception(awserr.InternalFailure.New("Internal service failure."))
				_ = w.Flush()
			}
			return
		}
		ev := subscribeEvent{Records: s.recordsOut(st, shard, res.Records)}
		if n := len(ev.Records); n > 0 {
			last = ev.Records[n-1].SequenceNumber
			if !res.CaughtUp {
				ev.MillisBehindLatest = max(0, time.Since(res.Records[n-1].Arrival).Milliseconds())
			}
		}
		pos = res.Next
		if res.End {
			ev.ChildShards = nonNil(s.childShards(st, shard))
		} else {
			ev.ContinuationSequenceNumber = &last
		}
		if len(ev.Records) > 0 || res.End || due {
			payload, err := enc.Marshal(ev)
			if err != nil || ew.Event("SubscribeToShardEvent", payload) != nil || w.Flush() != nil {
				return
			}
			s.metrics.read(st.Name, shard, res.Records, ev.MillisBehindLatest)
			heartbeat.Reset(subscribeHeartbeat)
			due = false
		}
		if res.End {
			return
		}
		if res.CaughtUp {
			select {
			case <-ring:
			case <-heartbeat.C:
				due = true
			case <-s.store.Changed():
			case <-ctx.Done():
				return
			}
		}
	}
}

// continuationBefore is a sequence number that resumes, with
// AFTER_SEQUENCE_NUMBER, exactly at pos.
func continuationBefore(shard int, pos shardstore.Position) string {
	switch {
	case pos.Index > 0:
		return shardstore.FormatSeq(shard, shardstore.Position{Msg: pos.Msg, Index: pos.Index - 1})
	case pos.Msg > 1:
		return shardstore.FormatSeq(shard, shardstore.Position{Msg: pos.Msg - 1, Index: 1<<16 - 1})
	}
	return shardstore.FormatSeq(shard, shardstore.Position{Msg: 0, Index: 1<<16 - 1})
}

package video

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kv "github.com/aws/aws-sdk-go-v2/service/kinesisvideo"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/router/videostore"
)

type listOut struct {
	Fragments []struct {
		FragmentNumber               string
		FragmentSizeInBytes          int64
		ProducerTimestamp            float64
		ServerTimestamp              float64
		FragmentLengthInMilliseconds int64
	}
	NextToken string
}

func tagMap(tags []mkv.SimpleTag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Name] = t.Value
	}
	return m
}

// mediaReader reads a GetMedia or GetMediaForFragmentList response.
func (e *env) mediaReader(op string, in any) (*mkv.Reader, io.Closer) {
	e.t.Helper()
	resp := e.post(op, in)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/webm" {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e.t.Fatalf("%s: %d %s %s", op, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return mkv.NewReader(resp.Body, mkv.ReaderOptions{}), resp.Body
}

// readClusters reads n clusters and checks each one's tags.
func readClusters(t *testing.T, r *mkv.Reader, n int) []*mkv.Cluster {
	t.Helper()
	var out []*mkv.Cluster
	for len(out) < n {
		c, err := r.Next()
		if err != nil {
			t.Fatalf("cluster %d: %v", len(out), err)
		}
		tags := tagMap(c.Tags)
		if tags[mkv.TagFragmentNumber] == "" || tags[mkv.TagServerTimestamp]+tags[tagServerSideTimestamp] == "" ||
			tags[mkv.TagProducerTimestamp]+tags[tagProducerSideTimestamp] == "" {
			t.Fatalf("cluster %d tags %v", len(out), c.Tags)
		}
		out = append(out, c)
	}
	return out
}

func TestPutMediaFixtures(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"video.mkv", "av.mkv", "pipe.mkv"} {
		t.Run(name, func(t *testing.T) {
			data := fixture(t, name)
			n, frames := clusters(t, data)
			stream := strings.TrimSuffix(name, ".mkv")
			e.create(stream)
			numbers := checkAcks(t, e.putAll(stream, data, nil), n)

			var l listOut
			if code, _ := e.call("listFragments", map[string]any{"StreamName": stream}, &l); code != "" {
				t.Fatal(code)
			}
			if len(l.Fragments) != n {
				t.Fatalf("listed %d fragments, want %d", len(l.Fragments), n)
			}
			for i, f := range l.Fragments {
				if f.FragmentNumber != numbers[i] || f.FragmentSizeInBytes <= 0 || f.ServerTimestamp < float64(time.Now().Add(-time.Minute).Unix()) {
					t.Fatalf("fragment %d: %+v", i, f)
				}
			}

			// GetMediaForFragmentList answers in the order asked.
			rev := []string{numbers[len(numbers)-1], numbers[0]}
			r, body := e.mediaReader("getMediaForFragmentList", map[string]any{"StreamName": stream, "Fragments": rev})
			got := readClusters(t, r, 2)
			body.Close()
			for i, c := range got {
				if tagMap(c.Tags)[mkv.TagFragmentNumber] != rev[i] {
					t.Fatalf("chunk %d tags %v, want fragment %s", i, c.Tags, rev[i])
				}
			}

			// GetMedia EARLIEST reads every frame back.
			r, body = e.mediaReader("getMedia", map[string]any{"StreamName": stream, "StartSelector": map[string]any{"StartSelectorType": "EARLIEST"}})
			defer body.Close()
			total := 0
			for i, c := range readClusters(t, r, n) {
				total += len(c.Frames)
				if tagMap(c.Tags)[mkv.TagFragmentNumber] != numbers[i] {
					t.Fatalf("GetMedia chunk %d is fragment %v, want %s", i, tagMap(c.Tags), numbers[i])
				}
			}
			if total != frames {
				t.Fatalf("read back %d frames, want %d", total, frames)
			}
			h, _ := r.Header()
			if len(h.Tracks) == 0 || h.Tracks[0].CodecID != "V_MPEG4/ISO/AVC" {
				t.Fatalf("header %+v", h)
			}
		})
	}
	if code, status := e.call("getMediaForFragmentList", map[string]any{"StreamName": "video", "Fragments": []string{videostore.FormatNumber(999)}}, nil); code != "ResourceNotFoundException" || status != 404 {
		t.Fatalf("missing fragment: %s %d", code, status)
	}
}

// TestFFmpegMedia puts ffmpeg-made video with ABSOLUTE timecodes and checks
// ListFragments against ffprobe's view of the same file, time ranges,
// paging and the timestamps GetMedia tags.
func TestFFmpegMedia(t *testing.T) {
	data := ffmpegMKV(t, 3)
	e := newEnv(t)
	e.create("cam")
	n, _ := clusters(t, data)
	checkAcks(t, e.putAll("cam", data, map[string]string{"x-amzn-fragment-timecode-type": "ABSOLUTE", "x-amzn-producer-start-timestamp": ""}), n)
	spans := ffprobeGOPs(t, data)
	if len(spans) != n {
		t.Fatalf("ffprobe sees %d GOPs, the stream has %d clusters", len(spans), n)
	}
	var l listOut
	e.call("listFragments", map[string]any{"StreamName": "cam"}, &l)
	if len(l.Fragments) != n {
		t.Fatalf("listed %d, want %d", len(l.Fragments), n)
	}
	for i, f := range l.Fragments {
		if d := f.FragmentLengthInMilliseconds - spans[i]; d < -1 || d > 1 {
			t.Fatalf("fragment %d lasts %d ms, ffprobe says %d", i, f.FragmentLengthInMilliseconds, spans[i])
		}
		// ABSOLUTE: the cluster timecodes are the producer timestamps.
		if want := float64(ffmpegEpoch + i); f.ProducerTimestamp < want-0.1 || f.ProducerTimestamp > want+0.1 {
			t.Fatalf("fragment %d producer timestamp %v", i, f.ProducerTimestamp)
		}
	}
	// A producer time range and paging.
	var page listOut
	e.call("listFragments", map[string]any{"StreamName": "cam", "MaxResults": 1, "FragmentSelector": map[string]any{
		"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": map[string]any{"StartTimestamp": ffmpegEpoch + 0.5, "EndTimestamp": ffmpegEpoch + 2.5}}}, &page)
	if len(page.Fragments) != 1 || page.Fragments[0].FragmentNumber != l.Fragments[1].FragmentNumber || page.NextToken == "" {
		t.Fatalf("first page %+v", page)
	}
	var page2 listOut
	e.call("listFragments", map[string]any{"StreamName": "cam", "NextToken": page.NextToken, "FragmentSelector": map[string]any{
		"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": map[string]any{"StartTimestamp": ffmpegEpoch + 0.5, "EndTimestamp": ffmpegEpoch + 2.5}}}, &page2)
	if len(page2.Fragments) != 1 || page2.Fragments[0].FragmentNumber != l.Fragments[2].FragmentNumber || page2.NextToken != "" {
		t.Fatalf("second page %+v", page2)
	}
	// Server time range covering everything.
	var all listOut
	e.call("listFragments", map[string]any{"StreamName": "cam", "FragmentSelector": map[string]any{
		"FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": map[string]any{"StartTimestamp": time.Now().Add(-time.Minute).Unix(), "EndTimestamp": time.Now().Add(time.Minute).Unix()}}}, &all)
	if len(all.Fragments) != n {
		t.Fatalf("server range listed %d", len(all.Fragments))
	}

	// GetMedia from a producer timestamp: tags in seconds.millis.
	r, body := e.mediaReader("getMedia", map[string]any{"StreamName": "cam", "StartSelector": map[string]any{
		"StartSelectorType": "PRODUCER_TIMESTAMP", "StartTimestamp": ffmpegEpoch + 1}})
	defer body.Close()
	c := readClusters(t, r, 1)[0]
	tags := tagMap(c.Tags)
	if tags[mkv.TagProducerTimestamp] != strconv.Itoa(ffmpegEpoch+1)+".000" {
		t.Fatalf("tags %v", tags)
	}
	if tags[mkv.TagFragmentNumber] != l.Fragments[1].FragmentNumber {
		t.Fatalf("started at %v, want fragment %s", tags, l.Fragments[1].FragmentNumber)
	}
	if s := tags[mkv.TagServerTimestamp]; len(s) < 5 || s[len(s)-4] != '.' {
		t.Fatalf("server timestamp tag %q", s)
	}
	// A timestamp inside a fragment starts with the fragment containing
	// it, as AWS documents the timestamp selectors.
	r2, body2 := e.mediaReader("getMedia", map[string]any{"StreamName": "cam", "StartSelector": map[string]any{
		"StartSelectorType": "PRODUCER_TIMESTAMP", "StartTimestamp": ffmpegEpoch + 1.5}})
	defer body2.Close()
	if got := tagMap(readClusters(t, r2, 1)[0].Tags)[mkv.TagFragmentNumber]; got != l.Fragments[1].FragmentNumber {
		t.Fatalf("from the middle of fragment 1 GetMedia started at %s, want %s", got, l.Fragments[1].FragmentNumber)
	}

	for _, tc := range []struct {
		op string
		in map[string]any
	}{
		{"listFragments", map[string]any{"StreamName": "cam", "MaxResults": 0}},
		{"listFragments", map[string]any{"StreamName": "cam", "NextToken": "!!"}},
		{"listFragments", map[string]any{"StreamName": "cam", "FragmentSelector": map[string]any{"FragmentSelectorType": "PRODUCER_TIMESTAMP"}}},
		{"getMedia", map[string]any{"StreamName": "cam"}},
		{"getMedia", map[string]any{"StreamName": "cam", "StartSelector": map[string]any{"StartSelectorType": "FRAGMENT_NUMBER"}}},
		{"getMedia", map[string]any{"StreamName": "cam", "StartSelector": map[string]any{"StartSelectorType": "SOMETIME"}}},
		{"getMediaForFragmentList", map[string]any{"StreamName": "cam", "Fragments": []string{}}},
		{"getMediaForFragmentList", map[string]any{"StreamName": "cam", "Fragments": []string{"x1"}}},
	} {
		if code, status := e.call(tc.op, tc.in, nil); code != "InvalidArgumentException" || status != 400 {
			t.Errorf("%s %v: %s %d", tc.op, tc.in, code, status)
		}
	}
	if code, status := e.call("getMedia", map[string]any{"StreamName": "nope", "StartSelector": map[string]any{"StartSelectorType": "NOW"}}, nil); code != "ResourceNotFoundException" || status != 404 {
		t.Errorf("GetMedia of a missing stream: %s %d", code, status)
	}
}

// TestGetMediaLive follows a stream while it is put, resumes with a
// continuation token and sees the tags-only chunk of an idle stream.
func TestGetMediaLive(t *testing.T) {
	e := newEnv(t)
	e.create("live")
	data := fixture(t, "video.mkv")
	n, _ := clusters(t, data)

	// Idle: a tags-only chunk with the continuation token.
	resp := e.post("getMedia", map[string]any{"StreamName": "live", "StartSelector": map[string]any{"StartSelectorType": "NOW"}})
	var seen []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(seen, []byte(mkv.TagContinuationToken)) {
		k, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("idle GetMedia: %v", err)
		}
		seen = append(seen, buf[:k]...)
	}
	resp.Body.Close()

	r, body := e.mediaReader("getMedia", map[string]any{"StreamName": "live", "StartSelector": map[string]any{"StartSelectorType": "NOW"}})
	defer body.Close()
	numbers := checkAcks(t, e.putAll("live", data, nil), n)
	got := readClusters(t, r, n)
	for i, c := range got {
		if tagMap(c.Tags)[mkv.TagFragmentNumber] != numbers[i] {
			t.Fatalf("live chunk %d: %v", i, c.Tags)
		}
	}
	// The continuation token after chunk 1 (read with chunk 2's tags)
	// resumes at chunk 2.
	token := tagMap(got[1].Tags)[mkv.TagContinuationToken]
	if token == "" {
		t.Fatalf("no continuation token in %v", got[1].Tags)
	}
	r2, body2 := e.mediaReader("getMedia", map[string]any{"StreamName": "live", "StartSelector": map[string]any{"StartSelectorType": "CONTINUATION_TOKEN", "ContinuationToken": token}})
	defer body2.Close()
	if c := readClusters(t, r2, 1)[0]; tagMap(c.Tags)[mkv.TagFragmentNumber] != numbers[1] {
		t.Fatalf("resumed at %v, want %s", c.Tags, numbers[1])
	}
	// FRAGMENT_NUMBER starts after the fragment given.
	r3, body3 := e.mediaReader("getMedia", map[string]any{"StreamName": "live", "StartSelector": map[string]any{"StartSelectorType": "FRAGMENT_NUMBER", "AfterFragmentNumber": numbers[0]}})
	defer body3.Close()
	if c := readClusters(t, r3, 1)[0]; tagMap(c.Tags)[mkv.TagFragmentNumber] != numbers[1] {
		t.Fatalf("after %s: got %v", numbers[0], c.Tags)
	}
}

func lastAck(t *testing.T, acks []testAck) testAck {
	t.Helper()
	if len(acks) == 0 {
		t.Fatal("no acks")
	}
	return acks[len(acks)-1]
}

// TestPutMediaErrors ends sessions with each ErrorId and checks that the
// stream takes a new session afterwards.
func TestPutMediaErrors(t *testing.T) {
	e := newEnv(t)
	video := fixture(t, "video.mkv")
	n, _ := clusters(t, video)
	for _, tc := range []struct {
		name      string
		data      []byte
		small     bool // a 1000-byte fragment limit
		persisted int
		code      int
	}{
		{"not mkv", []byte("this is not a matroska file at all, not even close............"), false, 0, 4006},
		{"garbage after fragments", append(bytes.Clone(video), bytes.Repeat([]byte{0xff}, 64)...), false, n, 4006},
		{"timecode backwards", append(bytes.Clone(video), video...), false, n, 4004},
		{"fragment too large", video, true, 0, 4001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-")
			e.create(name)
			e.svc.maxFragmentBytes = 0
			if tc.small {
				e.svc.maxFragmentBytes = 1000
			}
			acks := e.putAll(name, tc.data, nil)
			last := lastAck(t, acks)
			if last.EventType != "ERROR" || last.ErrorId != tc.code {
				t.Fatalf("last ack %+v, want ERROR %d (all %+v)", last, tc.code, acks)
			}
			checkAcks(t, dropBuffering(acks[:len(acks)-1]), tc.persisted)
			e.svc.maxFragmentBytes = 0
			// A new session on the same stream works.
			checkAcks(t, e.putAll(name, video, nil), n)
		})
	}

	// Header errors are REST errors.
	for _, tc := range []struct {
		headers map[string]string
		code    string
		status  int
	}{
		{map[string]string{"x-amzn-stream-name": "nope"}, "ResourceNotFoundException", 404},
		{map[string]string{"x-amzn-stream-name": "not-mkv", "x-amzn-fragment-timecode-type": ""}, "InvalidArgumentException", 400},
		{map[string]string{"x-amzn-stream-name": "not-mkv", "x-amzn-fragment-timecode-type": "LOCAL"}, "InvalidArgumentException", 400},
		{map[string]string{"x-amzn-stream-name": "not-mkv", "x-amzn-producer-start-timestamp": ""}, "InvalidArgumentException", 400},
		{map[string]string{"x-amzn-stream-name": "not-mkv", "x-amzn-producer-start-timestamp": "yesterday"}, "InvalidArgumentException", 400},
		{map[string]string{"x-amzn-stream-name": "", "x-amzn-stream-arn": ""}, "InvalidArgumentException", 400},
	} {
		s, err := e.putMedia("", tc.headers)
		if err != nil {
			t.Fatal(err)
		}
		s.pw.Close()
		if got := s.resp.Header.Get("x-amzn-ErrorType"); got != tc.code || s.resp.StatusCode != tc.status {
			t.Errorf("%v: %s %d, want %s %d", tc.headers, got, s.resp.StatusCode, tc.code, tc.status)
		}
		s.close()
	}
}

// dropBuffering removes the BUFFERING ack of the fragment that was never
// received (the one the error cut short): one after the last RECEIVED.
func dropBuffering(acks []testAck) []testAck {
	last := -1
	for i, a := range acks {
		if a.EventType == "RECEIVED" {
			last = i
		}
	}
	var out []testAck
	for i, a := range acks {
		if a.EventType != "BUFFERING" || i < last {
			out = append(out, a)
		}
	}
	return out
}

// TestPutMediaStreamDeleted deletes a stream while a session is open.
func TestPutMediaStreamDeleted(t *testing.T) {
	e := newEnv(t)
	arn := e.create("gone")
	video := fixture(t, "video.mkv")
	s, err := e.putMedia("gone", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	// The first fragment (its cluster has a known size), then silence.
	r := mkv.NewReader(bytes.NewReader(video), mkv.ReaderOptions{})
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = s.pw.Write(video[:r.Offset()]) }()
	for {
		a, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if a.EventType == "PERSISTED" {
			break
		}
	}
	// Silence is acknowledged with IDLE.
	for {
		var a testAck
		if err := s.dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		if a.EventType == "IDLE" {
			break
		}
	}
	// A GetMedia reader of the stream.
	gm, gmBody := e.mediaReader("getMedia", map[string]any{"StreamName": "gone", "StartSelector": map[string]any{"StartSelectorType": "EARLIEST"}})
	defer gmBody.Close()
	readClusters(t, gm, 1)
	if _, err := e.kv.DeleteStream(context.Background(), &kv.DeleteStreamInput{StreamARN: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	// GetMedia ends with the stream.
	if _, err := gm.Next(); err == nil {
		t.Fatal("GetMedia goes on after the stream is deleted")
	}
	for {
		a, err := s.next()
		if err != nil {
			t.Fatalf("no ERROR ack: %v", err)
		}
		if a.EventType == "ERROR" {
			if a.ErrorId != 4008 {
				t.Fatalf("ack %+v", a)
			}
			break
		}
	}
	// A new stream of that name takes media.
	e.create("gone")
	n, _ := clusters(t, video)
	checkAcks(t, e.putAll("gone", video, nil), n)
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	e.create("m")
	video := fixture(t, "video.mkv")
	n, _ := clusters(t, video)
	checkAcks(t, e.putAll("m", video, nil), n)
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			if m.Counter != nil {
				found[mf.GetName()] += m.Counter.GetValue()
			}
		}
	}
	if found["kinesisvideo_PutMedia_IncomingFragments"] != float64(n) || found["kinesisvideo_PutMedia_IncomingBytes"] <= 0 {
		t.Fatalf("metrics %v", found)
	}
}

// BenchmarkPutMedia measures one PutMedia session of the 4 s video fixture
// (4 fragments) through to the last PERSISTED acknowledgement.
func BenchmarkPutMedia(b *testing.B) {
	e := newEnv(b)
	e.create("bench")
	video := fixture(b, "video.mkv")
	n, _ := clusters(b, video)
	b.SetBytes(int64(len(video)))
	for b.Loop() {
		checkAcks(b, e.putAll("bench", video, nil), n)
	}
}

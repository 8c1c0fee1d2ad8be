package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	kvtypes "github.com/aws/aws-sdk-go-v2/service/kinesisvideo/types"
	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/videoclient"
)

// videoClient returns the KinesisVideo control-plane client for the global
// flags, building it once.
func (a *app) videoClient() (*kinesisvideo.Client, error) {
	return lazyClient(a, &a.vc, kinesisvideo.NewFromConfig)
}

// dataPlane asks GetDataEndpoint where api of the stream is served, as a
// real producer or player does, and returns a data-plane client for it.
func (a *app) dataPlane(ctx context.Context, stream string, api kvtypes.APIName) (*videoclient.Client, error) {
	vc, err := a.videoClient()
	if err != nil {
		return nil, err
	}
	out, err := vc.GetDataEndpoint(ctx, &kinesisvideo.GetDataEndpointInput{StreamName: aws.String(stream), APIName: api})
	if err != nil {
		return nil, err
	}
	endpoint := aws.ToString(out.DataEndpoint)
	if endpoint == "" {
		return nil, fmt.Errorf("GetDataEndpoint answered no DataEndpoint for %s", api)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if a.insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by --insecure
	}
	return &videoclient.Client{Endpoint: endpoint, HTTP: &http.Client{Transport: t}}, nil
}

func newVideoCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "video",
		Aliases: []string{"kvs"},
		Short:   "Create video streams, put media into them and play them back",
		Long: `Kinesis Video Streams: a video stream stores timestamped media (H.264/H.265
video, AAC audio) put into it as Matroska (MKV) fragments, and plays it
back live or from its archive: as the MKV stream itself (GetMedia), as HLS
or DASH for browsers and players, as an MP4 clip or as images.

The control-plane commands (create, ls, describe, rm) use the KinesisVideo
API any AWS SDK uses at --endpoint. The media commands first ask
GetDataEndpoint where the stream's data plane is, as AWS producers and
players do, then call PutMedia, GetMedia, ListFragments, GetClip or
GetHLS/DASHStreamingSessionURL there.

put sends an MKV file as is and remuxes anything else (MP4, TS, ...) with
ffmpeg without re-encoding. See docs/video.md for playing the HLS URL in a
browser, VLC or ffplay, and for the AWS CLI equivalents.`,
		Example: `  kinesin video create cam1 --retention-hours 24
  kinesin video put cam1 clip.mp4
  ffplay "$(kinesin video play cam1 --mode ON_DEMAND --start 10m)"
  kinesin video fragments cam1
  kinesin video clip cam1 --start 5m --end 4m -o last-minute.mp4`,
	}
	cmd.AddCommand(
		newVideoCreateCmd(a), newVideoLsCmd(a), newVideoDescribeCmd(a), newVideoRmCmd(a),
		newVideoPutCmd(a), newVideoPlayCmd(a), newVideoFragmentsCmd(a), newVideoGetCmd(a), newVideoClipCmd(a),
	)
	return cmd
}

func newVideoCreateCmd(a *app) *cobra.Command {
	var (
		retention                 int
		mediaType, device, kmsKey string
		tags                      []string
	)
	cmd := &cobra.Command{
		Use:   "create STREAM",
		Short: "Create a video stream",
		Long: `Create a video stream (CreateStream) and print its ARN.

--retention-hours is how long fragments stay readable after they are
stored. 0, the default as in AWS, keeps no archive: fragments can only be
consumed live, from a buffer of about 5 minutes (or 200 MB). To play back a
stream's past (ListFragments, ON_DEMAND HLS, GetClip) give it a retention.

--media-type (such as video/h264 or video/h264,audio/aac) and --device-name
are descriptive; kinesin, like AWS, takes the codecs from the media itself.`,
		Example: `  kinesin video create cam1
  kinesin video create cam1 --retention-hours 168 --media-type video/h264 --device-name front-door
  kinesin video create cam1 --tag site=berlin --tag floor=2`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tagMap, err := parseTags(tags)
			if err != nil {
				return err
			}
			vc, err := a.videoClient()
			if err != nil {
				return err
			}
			in := &kinesisvideo.CreateStreamInput{
				StreamName:           aws.String(args[0]),
				DataRetentionInHours: aws.Int32(int32(retention)),
				Tags:                 tagMap,
			}
			if mediaType != "" {
				in.MediaType = aws.String(mediaType)
			}
			if device != "" {
				in.DeviceName = aws.String(device)
			}
			if kmsKey != "" {
				in.KmsKeyId = aws.String(kmsKey)
			}
			out, err := vc.CreateStream(cmd.Context(), in)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), aws.ToString(out.StreamARN))
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&retention, "retention-hours", 0, "hours fragments stay readable; 0 keeps no archive (live only)")
	f.StringVar(&mediaType, "media-type", "", "the stream's media type, such as video/h264")
	f.StringVar(&device, "device-name", "", "name of the device that writes to the stream")
	f.StringVar(&kmsKey, "kms-key-id", "", "KMS key id recorded with the stream")
	f.StringArrayVar(&tags, "tag", nil, "KEY=VALUE tag of the stream (repeatable)")
	return cmd
}

// parseTags reads KEY=VALUE pairs.
func parseTags(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--tag %q: want KEY=VALUE", p)
		}
		m[k] = v
	}
	return m, nil
}

func newVideoLsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List video streams",
		Long: `List every video stream (ListStreams) as a table: name, status, media
type, retention and when it was created.`,
		Example: `  kinesin video ls`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			vc, err := a.videoClient()
			if err != nil {
				return err
			}
			var streams []kvtypes.StreamInfo
			p := kinesisvideo.NewListStreamsPaginator(vc, &kinesisvideo.ListStreamsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(cmd.Context())
				if err != nil {
					return err
				}
				streams = append(streams, page.StreamInfoList...)
			}
			if len(streams) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no video streams")
				return nil
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "NAME\tSTATUS\tMEDIA TYPE\tRETENTION\tCREATED")
			for _, s := range streams {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(s.StreamName), s.Status,
					cmp.Or(aws.ToString(s.MediaType), "-"), videoRetention(aws.ToInt32(s.DataRetentionInHours)), timestamp(s.CreationTime))
			}
			return tw.Flush()
		},
	}
}

func videoRetention(h int32) string {
	if h == 0 {
		return "none (live only)"
	}
	return hours(h)
}

func newVideoDescribeCmd(a *app) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "describe STREAM",
		Short: "Show a video stream",
		Long: `Show a video stream (DescribeStream): ARN, status, media type, device
name, retention, KMS key, version (UpdateStream and UpdateDataRetention
need it), when it was created, and its tags (ListTagsForStream).

--json prints the DescribeStream answer itself, as the server sent it.`,
		Example: `  kinesin video describe cam1
  kinesin video describe cam1 --json | jq -r .StreamInfo.StreamARN`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vc, err := a.videoClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var body []byte
			out, err := vc.DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String(args[0])}, func(o *kinesisvideo.Options) {
				if raw {
					o.APIOptions = append(o.APIOptions, captureBody(&body))
				}
			})
			if err != nil {
				return err
			}
			if raw {
				return printRaw(cmd.OutOrStdout(), "DescribeStream", body)
			}
			s := out.StreamInfo
			if s == nil {
				return errors.New("DescribeStream answered without StreamInfo")
			}
			tags, err := vc.ListTagsForStream(ctx, &kinesisvideo.ListTagsForStreamInput{StreamName: aws.String(args[0])})
			if err != nil {
				return err
			}
			tw := newTable(cmd.OutOrStdout())
			row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
			row("Name", aws.ToString(s.StreamName))
			row("ARN", aws.ToString(s.StreamARN))
			row("Status", string(s.Status))
			row("Media type", cmp.Or(aws.ToString(s.MediaType), "-"))
			row("Device", cmp.Or(aws.ToString(s.DeviceName), "-"))
			row("Retention", videoRetention(aws.ToInt32(s.DataRetentionInHours)))
			row("KMS key", cmp.Or(aws.ToString(s.KmsKeyId), "-"))
			row("Version", aws.ToString(s.Version))
			row("Created", timestamp(s.CreationTime))
			for _, k := range slices.Sorted(maps.Keys(tags.Tags)) {
				row("Tag", k+"="+tags.Tags[k])
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&raw, "json", false, "print the DescribeStream answer as JSON")
	return cmd
}

func isVideoNotFound(err error) bool {
	var nf *kvtypes.ResourceNotFoundException
	return errors.As(err, &nf)
}

func newVideoRmCmd(a *app) *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use:     "rm STREAM",
		Aliases: []string{"delete"},
		Short:   "Delete a video stream and its media",
		Long: `Delete a video stream (DeleteStream, which takes the stream's ARN: it is
looked up with DescribeStream). Its fragments are deleted with it; a
PutMedia in progress ends with ErrorId 4008 and GetMedia readers stop.
With --wait the command returns once the stream no longer exists.`,
		Example: `  kinesin video rm cam1 --wait`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vc, err := a.videoClient()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			desc, err := vc.DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String(name)})
			if err != nil {
				return err
			}
			if _, err := vc.DeleteStream(ctx, &kinesisvideo.DeleteStreamInput{StreamARN: desc.StreamInfo.StreamARN}); err != nil {
				return err
			}
			return deleting(ctx, cmd.OutOrStdout(), "video stream "+name, wait, isVideoNotFound, func() error {
				_, err := vc.DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String(name)})
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "return only once the stream is gone")
	return cmd
}

// putMediaErrors are AWS's descriptions of the PutMedia acknowledgement
// ErrorIds.
var putMediaErrors = map[int]string{
	int(mkv.CodeReadError):           "Error reading the data stream.",
	int(mkv.CodeFragmentTooLarge):    "Fragment size is greater than maximum limit, 50 MB, allowed.",
	int(mkv.CodeFragmentTooLong):     "Fragment duration is greater than maximum limit, 10 seconds, allowed.",
	int(mkv.CodeConnectionTooLong):   "Connection duration is greater than maximum allowed threshold.",
	int(mkv.CodeTimecodeBackwards):   "Fragment timecode is less than the timecode previous time code (within a PutMedia call, you cannot send fragments out of order).",
	4005:                             "More than the allowed number of tracks found in the MKV.",
	int(mkv.CodeInvalidMKV):          "Failed to parse the input stream as valid MKV format.",
	int(mkv.CodeInvalidProducerTime): "Invalid producer timestamp.",
	int(mkv.CodeStreamDeleted):       "Stream no longer exists (deleted) or is not active.",
	4009:                             "Fragment metadata limit reached.",
	int(mkv.CodeTrackNumberMismatch): "The track number in an MKV frame did not match the tracks in the MKV header.",
	int(mkv.CodeFramesMissing):       "The fragment did not contain any frames for at least one of the tracks in the MKV header.",
	int(mkv.CodeTooManyTracks):       "More than the allowed number of tracks found in the input MKV.",
	4500:                             "Access to the stream's specified KMS key is denied.",
	4501:                             "The stream's specified KMS key is disabled.",
	4502:                             "Validation error on the stream's specified KMS key.",
	4503:                             "The KMS key specified in the stream is unavailable.",
	4504:                             "Invalid usage of the KMS key specified in the stream.",
	4505:                             "Invalid state of the KMS key specified in the stream.",
	4506:                             "Unable to find the KMS key specified in the stream.",
	int(mkv.CodeInternal):            "Internal service error.",
	int(mkv.CodePersistFailed):       "Failed to persist fragments to the data store.",
}

// ackError is a PutMedia ERROR acknowledgement as an error.
func ackError(ack videoclient.Ack) error {
	desc := cmp.Or(putMediaErrors[ack.ErrorId], "Unknown error.")
	if name := videoclient.AckErrors[ack.ErrorId]; name != "" {
		desc = name + ": " + desc
	}
	return fmt.Errorf("PutMedia: fragment at timecode %d: ERROR %d %s", ack.FragmentTimecode, ack.ErrorId, desc)
}

func newVideoPutCmd(a *app) *cobra.Command {
	var (
		absolute, relative bool
		startAt            string
		ffmpeg             string
		quiet              bool
	)
	cmd := &cobra.Command{
		Use:   "put STREAM FILE|-",
		Short: "Put a media file or standard input into a video stream (PutMedia)",
		Long: `Upload media with PutMedia, as the AWS producer SDKs do: GetDataEndpoint
(PUT_MEDIA) first, then one PutMedia request whose body is the MKV stream,
sent while it is read (chunked), so a live pipe works: the command ends when
the input ends.

A Matroska (MKV/WebM) FILE, or standard input with -, is sent as it is.
Anything else (MP4, MOV, TS, ...) is remuxed without re-encoding by
running ffmpeg -i FILE -c copy -f matroska -cluster_time_limit 2100 - (the
first video and audio track), which needs ffmpeg in PATH (or --ffmpeg).
Each Matroska Cluster is one fragment: it should start with a keyframe and
last at most 10 seconds.

Timecodes: with --relative (the default) the MKV's cluster timecodes are
relative to --producer-start (default: now), so a file ffmpeg wrote, whose
times start at 0, is stamped as if it was recorded from now on. With
--absolute they are producer times since the Unix epoch, as a camera that
writes wall-clock timecodes sends them.

Progress goes to standard error, one line per acknowledged fragment: its
fragment number, PERSISTED and its size. An ERROR acknowledgement ends the
command with a non-zero status, its ErrorId and AWS's description.`,
		Example: `  kinesin video put cam1 recording.mkv
  kinesin video put cam1 clip.mp4
  ffmpeg -re -f lavfi -i testsrc=size=640x360:rate=30 -c:v libx264 -g 30 -f matroska - | kinesin video put cam1 -
  kinesin video put cam1 camera.mkv --absolute`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, name := cmd.Context(), args[0]
			in := videoclient.PutMediaInput{StreamName: name, TimecodeType: "RELATIVE"}
			switch {
			case absolute:
				in.TimecodeType = "ABSOLUTE"
			default:
				in.ProducerStartTimestamp = time.Now()
				if startAt != "" {
					t, err := parseVideoTime(startAt, time.Now())
					if err != nil {
						return fmt.Errorf("--producer-start: %w", err)
					}
					in.ProducerStartTimestamp = t
				}
			}
			_ = relative // the default; the flag exists to say so explicitly
			dp, err := a.dataPlane(ctx, name, kvtypes.APINamePutMedia)
			if err != nil {
				return err
			}
			body, wait, err := openMedia(ctx, args[1], cmd.InOrStdin(), ffmpeg)
			if err != nil {
				return err
			}
			defer body.Close()
			progress := cmd.ErrOrStderr()
			if quiet {
				progress = io.Discard
			}
			src := &eofReader{r: body}
			n, err := putMedia(ctx, dp, in, src, progress)
			body.Close() // an ffmpeg still writing (after an error) stops
			// ffmpeg failing on its own, which ends the upload early, is
			// the cause of what the server then says; failing on the pipe
			// closed above is not.
			if werr := wait(); werr != nil && (err == nil || src.eof.Load()) {
				err = werr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d fragment%s persisted\n", n, plural(n))
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&relative, "relative", false, "cluster timecodes are relative to --producer-start (the default)")
	f.BoolVar(&absolute, "absolute", false, "cluster timecodes are absolute producer times (milliseconds since the Unix epoch)")
	f.StringVar(&startAt, "producer-start", "", "producer time of timecode 0 with --relative: RFC 3339 or a duration ago (default now)")
	f.StringVar(&ffmpeg, "ffmpeg", "ffmpeg", "ffmpeg executable used to remux non-MKV input")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress lines on standard error")
	cmd.MarkFlagsMutuallyExclusive("relative", "absolute")
	cmd.MarkFlagsMutuallyExclusive("producer-start", "absolute")
	return cmd
}

// ebmlMagic starts every Matroska/WebM file.
var ebmlMagic = []byte{0x1A, 0x45, 0xDF, 0xA3}

// openMedia opens path ("-": stdin) as an MKV stream: as is when it is
// Matroska, else remuxed by ffmpeg. wait reports how ffmpeg ended (nil when
// it did not run); call it after the stream is read.
func openMedia(ctx context.Context, path string, stdin io.Reader, ffmpeg string) (io.ReadCloser, func() error, error) {
	var src io.Reader
	var closer io.Closer = io.NopCloser(nil)
	if path == "-" {
		src = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		src, closer = f, f
	}
	br := bufio.NewReaderSize(src, 64<<10)
	head, err := br.Peek(len(ebmlMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		closer.Close()
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	noWait := func() error { return nil }
	if bytes.Equal(head, ebmlMagic) {
		return readCloser{br, closer}, noWait, nil
	}
	what := path
	if path == "-" {
		what = "standard input"
	}
	if len(head) == 0 {
		closer.Close()
		return nil, nil, fmt.Errorf("%s is empty", what)
	}
	bin, err := exec.LookPath(ffmpeg)
	if err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("%s is not Matroska (MKV); kinesin remuxes other formats with ffmpeg, which was not found (%v): install ffmpeg, or convert first with: ffmpeg -i FILE -c copy -f matroska out.mkv", what, err)
	}
	input := path
	if path == "-" {
		input = "pipe:0"
	}
	c := exec.CommandContext(ctx, bin, "-hide_banner", "-nostdin", "-loglevel", "error",
		"-i", input, "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy",
		"-f", "matroska", "-cluster_time_limit", "2100", "-")
	if path == "-" {
		c.Args = slices.DeleteFunc(c.Args, func(s string) bool { return s == "-nostdin" })
		c.Stdin = br
	}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.StdoutPipe()
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	if err := c.Start(); err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("starting ffmpeg: %w", err)
	}
	if path != "-" {
		closer.Close() // ffmpeg opens the file itself
		closer = io.NopCloser(nil)
	}
	wait := func() error {
		err := c.Wait()
		closer.Close()
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("ffmpeg remuxing %s to MKV: %v: %s", what, err, strings.TrimSpace(stderr.String()))
		}
		return nil
	}
	return out, wait, nil
}

// eofReader records that its reader reached the end.
type eofReader struct {
	r   io.Reader
	eof atomic.Bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		e.eof.Store(true)
	}
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

// putMedia sends body with PutMedia and reports each acknowledgement on
// progress. It returns the number of fragments PERSISTED, and an error for
// an ERROR acknowledgement or a failed request.
func putMedia(ctx context.Context, dp *videoclient.Client, in videoclient.PutMediaInput, body io.Reader, progress io.Writer) (int, error) {
	sizes := newFragmentSizes(body)
	in.Body = sizes
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	acks, err := dp.PutMedia(ctx, in)
	if err != nil {
		return 0, fmt.Errorf("PutMedia: %w", err)
	}
	defer acks.Close()
	persisted := 0
	for {
		ack, err := acks.Next()
		if errors.Is(err, io.EOF) {
			return persisted, nil
		}
		if err != nil {
			return persisted, fmt.Errorf("PutMedia: reading acknowledgements: %w", err)
		}
		switch ack.EventType {
		case "PERSISTED":
			persisted++
			size := "-"
			if n, ok := sizes.size(ack.FragmentTimecode); ok {
				size = byteSize(n)
			}
			fmt.Fprintf(progress, "fragment %s PERSISTED %s (timecode %d)\n", ack.FragmentNumber, size, ack.FragmentTimecode)
		case "ERROR":
			return persisted, ackError(ack)
		}
	}
}

// fragmentSizes passes the upload through while a second reader parses a
// copy of it, to learn the size of each cluster by its timecode in
// milliseconds, as the acknowledgements name fragments. If the copy does
// not parse, sizes are unknown; the upload goes on regardless, since the
// server is the judge of the MKV.
type fragmentSizes struct {
	r    io.Reader
	pw   *io.PipeWriter
	dead bool

	mu      sync.Mutex
	changed chan struct{}
	sizes   map[int64]int64
	done    bool
}

func newFragmentSizes(r io.Reader) *fragmentSizes {
	pr, pw := io.Pipe()
	s := &fragmentSizes{r: r, pw: pw, changed: make(chan struct{}), sizes: map[int64]int64{}}
	go s.parse(pr)
	return s
}

func (s *fragmentSizes) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 && !s.dead {
		if _, werr := s.pw.Write(p[:n]); werr != nil {
			s.dead = true
		}
	}
	if err != nil {
		s.pw.CloseWithError(err)
	}
	return n, err
}

func (s *fragmentSizes) parse(pr *io.PipeReader) {
	defer func() {
		if recover() != nil {
			pr.CloseWithError(errors.New("parse failed"))
		}
		s.mu.Lock()
		s.done = true
		close(s.changed)
		s.mu.Unlock()
	}()
	r := mkv.NewReader(pr, mkv.ReaderOptions{MaxTracks: 16})
	for {
		c, err := r.Next()
		if err != nil {
			pr.CloseWithError(err) // unblocks Read's copy for good
			return
		}
		scale := uint64(1_000_000)
		if h, err := r.Header(); err == nil && h.TimecodeScale > 0 {
			scale = h.TimecodeScale
		}
		ms := int64(c.Timecode * scale / 1_000_000)
		s.mu.Lock()
		s.sizes[ms] = c.Size
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}
}

// size returns the size of the cluster at timecode ms, waiting a moment
// for the parser, which may be just behind the upload.
func (s *fragmentSizes) size(ms int64) (int64, bool) {
	deadline := time.NewTimer(time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		n, ok := s.sizes[ms]
		done, changed := s.done, s.changed
		s.mu.Unlock()
		if ok || done {
			return n, ok
		}
		select {
		case <-changed:
		case <-deadline.C:
			return 0, false
		}
	}
}

// parseVideoTime reads an RFC 3339 time, a duration meaning that long
// before now (15m), now, or +DURATION meaning that long after now (the end
// of a range that takes in the fragments a file put with relative
// timecodes stamped in the near future).
func parseVideoTime(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if after, ok := strings.CutPrefix(s, "+"); ok {
		if d, err := time.ParseDuration(after); err == nil && d >= 0 {
			return now.Add(d), nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if strings.EqualFold(s, "now") {
		return now, nil
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time such as 2025-06-01T12:00:00Z, a duration ago such as 15m, now, or +DURATION from now", s)
}

// epoch is a timestamp as the REST-JSON data-plane APIs write it: seconds
// since the Unix epoch, with a fraction.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(e).UnixMilli())/1000, 'f', 3, 64), nil
}

func (e *epoch) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %s: %w", b, err)
	}
	sec, frac := math.Modf(f)
	*e = epoch(time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC())
	return nil
}

type timestampRange struct {
	StartTimestamp *epoch `json:",omitempty"`
	EndTimestamp   *epoch `json:",omitempty"`
}

type fragmentSelector struct {
	FragmentSelectorType string
	TimestampRange       *timestampRange `json:",omitempty"`
}

// timeRange parses --start and --end (either may be empty) into a range.
func timeRange(start, end string, now time.Time) (*timestampRange, error) {
	if start == "" && end == "" {
		return nil, nil
	}
	var r timestampRange
	for _, x := range []struct {
		flag, val string
		dst       **epoch
	}{{"--start", start, &r.StartTimestamp}, {"--end", end, &r.EndTimestamp}} {
		if x.val == "" {
			continue
		}
		t, err := parseVideoTime(x.val, now)
		if err != nil {
			return nil, fmt.Errorf("%s %w", x.flag, err)
		}
		e := epoch(t)
		*x.dst = &e
	}
	return &r, nil
}

func selectorType(server bool) string {
	if server {
		return "SERVER_TIMESTAMP"
	}
	return "PRODUCER_TIMESTAMP"
}

func newVideoPlayCmd(a *app) *cobra.Command {
	var (
		dash, serverTime, showTS, ts bool
		mode, start, end             string
		container                    string
		expires                      int
	)
	cmd := &cobra.Command{
		Use:   "play STREAM",
		Short: "Print an HLS (or DASH) playback URL of a video stream",
		Long: `Ask for a streaming session (GetHLSStreamingSessionURL, or with --dash
GetDASHStreamingSessionURL) and print its URL: open it in a browser with
hls.js or dash.js, in Safari, VLC, ffplay or mpv. The URL carries a session
token that expires after --expires seconds.

--mode LIVE (default) plays the newest media and follows it;
LIVE_REPLAY starts at --start and then follows live; ON_DEMAND plays the
archived range from --start to --end. Times are RFC 3339, a duration ago
(10m), now, or +DURATION from now. They select by producer timestamp, or
with --server-time by the time the server stored each fragment. A file
put with relative timecodes is stamped as recorded from the moment of the
put on, so its last fragments have producer times just after it: end a
range that must take them in at +1m rather than now.

--container FRAGMENTED_MP4 (default) or MPEG_TS chooses the HLS segment
format (--ts is short for --container MPEG_TS, for older players; H.264
and AAC only). --show-timestamps shows the fragments' timestamps in the
player (DisplayFragmentTimestamp ALWAYS: HLS #EXT-X-PROGRAM-DATE-TIME,
DASH producer timestamps).`,
		Example: `  ffplay "$(kinesin video play cam1)"
  vlc "$(kinesin video play cam1 --mode ON_DEMAND --start 1h --end 50m)"
  kinesin video play cam1 --dash --mode LIVE_REPLAY --start 5m
  kinesin video play cam1 --ts --show-timestamps`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			mode = strings.ToUpper(mode)
			if !slices.Contains([]string{"LIVE", "LIVE_REPLAY", "ON_DEMAND"}, mode) {
				return fmt.Errorf("--mode must be LIVE, LIVE_REPLAY or ON_DEMAND, not %q", mode)
			}
			r, err := timeRange(start, end, time.Now())
			if err != nil {
				return err
			}
			if ts {
				if dash || cmd.Flags().Changed("container") {
					return errors.New("--ts is an HLS container format: not with --dash or --container")
				}
				container = "MPEG_TS"
			}
			if mode == "LIVE" && r != nil {
				return errors.New("--start and --end need --mode LIVE_REPLAY or ON_DEMAND")
			}
			ctx, name := cmd.Context(), args[0]
			api, op := kvtypes.APINameGetHlsStreamingSessionUrl, "getHLSStreamingSessionURL"
			if dash {
				api, op = kvtypes.APINameGetDashStreamingSessionUrl, "getDASHStreamingSessionURL"
			}
			dp, err := a.dataPlane(ctx, name, api)
			if err != nil {
				return err
			}
			in := map[string]any{"StreamName": name, "PlaybackMode": mode, "Expires": expires}
			var sel *fragmentSelector
			if r != nil {
				sel = &fragmentSelector{FragmentSelectorType: selectorType(serverTime), TimestampRange: r}
			}
			var out struct{ HLSStreamingSessionURL, DASHStreamingSessionURL string }
			if dash {
				if sel != nil {
					in["DASHFragmentSelector"] = sel
				}
				if showTS {
					in["DisplayFragmentTimestamp"] = "ALWAYS"
				}
			} else {
				if sel != nil {
					in["HLSFragmentSelector"] = sel
				}
				in["ContainerFormat"] = strings.ToUpper(container)
				if showTS {
					in["DisplayFragmentTimestamp"] = "ALWAYS"
				}
			}
			if err := dp.Call(ctx, op, in, &out); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), cmp.Or(out.HLSStreamingSessionURL, out.DASHStreamingSessionURL))
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dash, "dash", false, "a DASH manifest URL instead of HLS")
	f.StringVar(&mode, "mode", "LIVE", "playback mode: LIVE, LIVE_REPLAY or ON_DEMAND")
	f.StringVar(&start, "start", "", "start of the range: RFC 3339 or a duration ago")
	f.StringVar(&end, "end", "", "end of the range (ON_DEMAND): RFC 3339 or a duration ago")
	f.BoolVar(&serverTime, "server-time", false, "select by server timestamps instead of producer timestamps")
	f.BoolVar(&showTS, "show-timestamps", false, "show fragment timestamps in the player (DisplayFragmentTimestamp ALWAYS)")
	f.BoolVar(&ts, "ts", false, "HLS with MPEG-TS segments (--container MPEG_TS)")
	f.StringVar(&container, "container", "FRAGMENTED_MP4", "HLS segment format: FRAGMENTED_MP4 or MPEG_TS")
	f.IntVar(&expires, "expires", 300, "seconds the session URL stays valid (300–43200)")
	return cmd
}

// fragment is one ListFragments entry.
type fragment struct {
	FragmentNumber               string
	FragmentSizeInBytes          int64
	ProducerTimestamp            epoch
	ServerTimestamp              epoch
	FragmentLengthInMilliseconds int64
}

// listFragments pages through ListFragments and returns the fragments in
// producer time order (AWS does not promise an order).
func listFragments(ctx context.Context, dp *videoclient.Client, name string, sel *fragmentSelector) ([]fragment, error) {
	var all []fragment
	token := ""
	for {
		in := map[string]any{"StreamName": name, "MaxResults": 1000}
		if token != "" {
			in["NextToken"] = token
		} else if sel != nil {
			in["FragmentSelector"] = sel
		}
		var out struct {
			Fragments []fragment
			NextToken string
		}
		if err := dp.Call(ctx, "listFragments", in, &out); err != nil {
			return nil, fmt.Errorf("ListFragments: %w", err)
		}
		all = append(all, out.Fragments...)
		if out.NextToken == "" || len(out.Fragments) == 0 {
			break
		}
		token = out.NextToken
	}
	slices.SortStableFunc(all, func(a, b fragment) int {
		return cmp.Or(time.Time(a.ProducerTimestamp).Compare(time.Time(b.ProducerTimestamp)), cmp.Compare(len(a.FragmentNumber), len(b.FragmentNumber)), strings.Compare(a.FragmentNumber, b.FragmentNumber))
	})
	return all, nil
}

func newVideoFragmentsCmd(a *app) *cobra.Command {
	var (
		start, end string
		serverTime bool
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "fragments STREAM",
		Short: "List a video stream's stored fragments",
		Long: `List the fragments of a stream still in its archive (ListFragments) as a
table: fragment number, producer and server timestamps, duration and size,
oldest first. --start and --end (RFC 3339 or a duration ago, both needed
when one is given; --end defaults to now) select by producer timestamp, or
with --server-time by server timestamp. --json prints one JSON object per
fragment, with AWS's member names.`,
		Example: `  kinesin video fragments cam1
  kinesin video fragments cam1 --start 10m --end 5m --server-time
  kinesin video fragments cam1 --json | jq -r .FragmentNumber`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if start == "" && end != "" {
				return errors.New("--end needs --start")
			}
			if start != "" && end == "" {
				end = "now"
			}
			r, err := timeRange(start, end, time.Now())
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			dp, err := a.dataPlane(ctx, name, kvtypes.APINameListFragments)
			if err != nil {
				return err
			}
			var sel *fragmentSelector
			if r != nil {
				sel = &fragmentSelector{FragmentSelectorType: selectorType(serverTime), TimestampRange: r}
			}
			frags, err := listFragments(ctx, dp, name, sel)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				for _, f := range frags {
					if err := enc.Encode(f); err != nil {
						return err
					}
				}
				return nil
			}
			if len(frags) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no fragments")
				return nil
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "FRAGMENT NUMBER\tPRODUCER TIME\tSERVER TIME\tDURATION\tSIZE")
			for _, f := range frags {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", f.FragmentNumber,
					time.Time(f.ProducerTimestamp).UTC().Format("2006-01-02T15:04:05.000Z"),
					time.Time(f.ServerTimestamp).UTC().Format("2006-01-02T15:04:05.000Z"),
					time.Duration(f.FragmentLengthInMilliseconds)*time.Millisecond, f.FragmentSizeInBytes)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&start, "start", "", "start of the range: RFC 3339 or a duration ago")
	f.StringVar(&end, "end", "", "end of the range (default now with --start)")
	f.BoolVar(&serverTime, "server-time", false, "select by server timestamps instead of producer timestamps")
	f.BoolVar(&asJSON, "json", false, "one JSON object per fragment")
	return cmd
}

// startSelector is GetMedia's StartSelector.
type startSelector struct {
	StartSelectorType   string
	AfterFragmentNumber string `json:",omitempty"`
	StartTimestamp      *epoch `json:",omitempty"`
	ContinuationToken   string `json:",omitempty"`
}

// parseStartSelector reads --start-selector: now, earliest,
// fragment:NUMBER, producer:TIME, server:TIME or continuation:TOKEN.
func parseStartSelector(s string, now time.Time) (startSelector, error) {
	kind, val, _ := strings.Cut(s, ":")
	switch strings.ToLower(kind) {
	case "now":
		return startSelector{StartSelectorType: "NOW"}, nil
	case "earliest":
		return startSelector{StartSelectorType: "EARLIEST"}, nil
	case "fragment", "fragment_number", "after":
		if val == "" {
			break
		}
		return startSelector{StartSelectorType: "FRAGMENT_NUMBER", AfterFragmentNumber: val}, nil
	case "continuation", "continuation_token":
		if val == "" {
			break
		}
		return startSelector{StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: val}, nil
	case "producer", "producer_timestamp", "server", "server_timestamp":
		t, err := parseVideoTime(val, now)
		if err != nil {
			return startSelector{}, fmt.Errorf("--start-selector %w", err)
		}
		e := epoch(t)
		typ := "PRODUCER_TIMESTAMP"
		if strings.HasPrefix(strings.ToLower(kind), "server") {
			typ = "SERVER_TIMESTAMP"
		}
		return startSelector{StartSelectorType: typ, StartTimestamp: &e}, nil
	}
	return startSelector{}, fmt.Errorf("--start-selector %q: want now, earliest, fragment:NUMBER, producer:TIME, server:TIME or continuation:TOKEN", s)
}

func newVideoGetCmd(a *app) *cobra.Command {
	var (
		selector, output string
		maxFragments     int
		quiet            bool
	)
	cmd := &cobra.Command{
		Use:   "get STREAM",
		Short: "Read a video stream as MKV (GetMedia)",
		Long: `Read the stream's media with GetMedia and write it, as the MKV stream the
server sends, to standard output or to -o FILE. GetMedia follows the
stream live: the command runs until Ctrl-C, until --max-fragments
fragments were written, or until the stream is deleted. Each fragment is a
self-contained MKV chunk (EBML header, Segment, Tags with
AWS_KINESISVIDEO_FRAGMENT_NUMBER and the timestamps, one Cluster); players
such as ffplay and mkvextract read the concatenation.

--start-selector chooses the first fragment:
  now                  the next fragment stored (default)
  earliest             the oldest fragment retained
  fragment:NUMBER      the fragment after NUMBER
  producer:TIME        the first fragment with a producer time ≥ TIME
  server:TIME          the first fragment stored at or after TIME
  continuation:TOKEN   where a previous GetMedia stopped (its
                       AWS_KINESISVIDEO_CONTINUATION_TOKEN tag)
TIME is RFC 3339 or a duration ago (10m). Progress goes to standard error,
one line per fragment.`,
		Example: `  kinesin video get cam1 --start-selector earliest --max-fragments 10 -o first.mkv
  kinesin video get cam1 | ffplay -
  kinesin video get cam1 --start-selector producer:5m -o last5min.mkv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sel, err := parseStartSelector(selector, time.Now())
			if err != nil {
				return err
			}
			if maxFragments < 0 {
				return errors.New("--max-fragments must not be negative")
			}
			ctx, name := cmd.Context(), args[0]
			dp, err := a.dataPlane(ctx, name, kvtypes.APINameGetMedia)
			if err != nil {
				return err
			}
			w, closeOut, err := outputFile(cmd, output)
			if err != nil {
				return err
			}
			progress := cmd.ErrOrStderr()
			if quiet {
				progress = io.Discard
			}
			resp, err := dp.Raw(ctx, "getMedia", map[string]any{"StreamName": name, "StartSelector": sel})
			if err != nil {
				closeOut()
				return fmt.Errorf("GetMedia: %w", err)
			}
			defer resp.Body.Close()
			if err := checkStatus("GetMedia", resp); err != nil {
				closeOut()
				return err
			}
			n, err := copyFragments(w, resp.Body, maxFragments, progress)
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			if ctx.Err() != nil {
				err = nil // interrupted: the normal way to stop
			}
			fmt.Fprintf(progress, "%d fragment%s\n", n, plural(n))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&selector, "start-selector", "now", "first fragment: now, earliest, fragment:NUMBER, producer:TIME, server:TIME, continuation:TOKEN")
	f.StringVarP(&output, "output", "o", "-", "file to write the MKV stream to (- for standard output)")
	f.IntVar(&maxFragments, "max-fragments", 0, "stop after this many fragments (0: follow until interrupted)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress lines on standard error")
	return cmd
}

// outputFile opens -o FILE, or standard output for "-".
func outputFile(cmd *cobra.Command, path string) (io.Writer, func() error, error) {
	if path == "-" || path == "" {
		return cmd.OutOrStdout(), func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	var once sync.Once
	var cerr error
	return f, func() error { once.Do(func() { cerr = f.Close() }); return cerr }, nil
}

// checkStatus turns a non-2xx answer that Raw did not already turn into an
// error into one, with the body's message.
func checkStatus(op string, resp *http.Response) error {
	if resp.StatusCode/100 == 2 {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var e struct{ Message string }
	_ = json.Unmarshal(b, &e)
	return fmt.Errorf("%s: %s: %s", op, cmp.Or(resp.Header.Get("x-amzn-ErrorType"), resp.Status), cmp.Or(e.Message, strings.TrimSpace(string(b))))
}

// copyFragments copies the GetMedia stream in to w unchanged, a fragment
// at a time, and reports each on progress. With max > 0 it stops after max
// fragments, cutting the stream after that fragment's cluster.
func copyFragments(w io.Writer, in io.Reader, max int, progress io.Writer) (int, error) {
	var pending bytes.Buffer // read by the parser, not yet written
	r := mkv.NewReader(io.TeeReader(in, &pending), mkv.ReaderOptions{MaxTracks: 16})
	written := int64(0)
	flush := func(upto int64) error {
		n := upto - written
		if n <= 0 {
			return nil
		}
		if _, err := w.Write(pending.Next(int(n))); err != nil {
			return err
		}
		written = upto
		return nil
	}
	n := 0
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n, flush(written + int64(pending.Len()))
		}
		if err != nil {
			_ = flush(r.Offset())
			return n, fmt.Errorf("GetMedia: reading the MKV stream: %w", err)
		}
		if err := flush(r.Offset()); err != nil {
			return n, err
		}
		n++
		number := "-"
		for _, t := range c.Tags {
			if t.Name == mkv.TagFragmentNumber {
				number = t.Value
			}
		}
		fmt.Fprintf(progress, "fragment %s %s\n", number, byteSize(c.Size))
		if max > 0 && n >= max {
			return n, nil
		}
	}
}

func newVideoClipCmd(a *app) *cobra.Command {
	var (
		start, end, output string
		serverTime         bool
	)
	cmd := &cobra.Command{
		Use:   "clip STREAM --start TIME --end TIME -o FILE",
		Short: "Save a range of a video stream as an MP4 file (GetClip)",
		Long: `Save the archived media between --start and --end (RFC 3339, a duration
ago, now, or +DURATION from now) as one MP4 file (GetClip), by producer
timestamp or with --server-time by server timestamp. AWS limits a clip to 100 MB or 200
fragments; the stream needs a retention (create --retention-hours).`,
		Example: `  kinesin video clip cam1 --start 2025-06-01T12:00:00Z --end 2025-06-01T12:01:00Z -o noon.mp4
  kinesin video clip cam1 --start 2m --end 1m -o minute.mp4
  kinesin video clip cam1 --start 10m --end +1m -o recent.mp4`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := timeRange(start, end, time.Now())
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			dp, err := a.dataPlane(ctx, name, kvtypes.APINameGetClip)
			if err != nil {
				return err
			}
			in := map[string]any{"StreamName": name, "ClipFragmentSelector": fragmentSelector{FragmentSelectorType: selectorType(serverTime), TimestampRange: r}}
			resp, err := dp.Raw(ctx, "getClip", in)
			if err != nil {
				return fmt.Errorf("GetClip: %w", err)
			}
			defer resp.Body.Close()
			if err := checkStatus("GetClip", resp); err != nil {
				return err
			}
			w, closeOut, err := outputFile(cmd, output)
			if err != nil {
				return err
			}
			n, err := io.Copy(w, resp.Body)
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("GetClip: %w", err)
			}
			if output != "-" {
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%s)\n", output, byteSize(n))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&start, "start", "", "start of the clip: RFC 3339 or a duration ago")
	f.StringVar(&end, "end", "", "end of the clip: RFC 3339 or a duration ago")
	f.StringVarP(&output, "output", "o", "", "MP4 file to write (- for standard output)")
	f.BoolVar(&serverTime, "server-time", false, "select by server timestamps instead of producer timestamps")
	_ = cmd.MarkFlagRequired("start")
	_ = cmd.MarkFlagRequired("end")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

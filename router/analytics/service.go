package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/awsservice"
	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/runtime/sql/udf"
	"github.com/kinesin/kinesin/sinks/objstore"
)

// TargetPrefix is the X-Amz-Target prefix of Kinesis Analytics (v1, SQL).
const TargetPrefix = "KinesisAnalytics_20150814"

// The service's error kinds: all client errors, answered with 400 as the
// model declares.
var (
	invalidArgument  = awserr.InvalidArgument
	resourceNotFound = awserr.ResourceNotFound
	resourceInUse    = awserr.ResourceInUse
	limitExceeded    = awserr.LimitExceeded
	codeValidation   = awserr.Kind{Code: "CodeValidationException", Status: 400}
	concurrentMod    = awserr.Kind{Code: "ConcurrentModificationException", Status: 400}
	invalidAppConfig = awserr.Kind{Code: "InvalidApplicationConfigurationException", Status: 400}
	tooManyTags      = awserr.Kind{Code: "TooManyTagsException", Status: 400}
	unableToDetect   = awserr.Kind{Code: "UnableToDetectSchemaException", Status: 400}
	errSkip          = errors.New("analytics: nothing to do")
)

// Config configures the service. The dependencies are what running an
// application needs (host.Config); a nil one makes the inputs or outputs
// that need it wait (the application runs, and the host logs why).
type Config struct {
	Region    string
	AccountID string
	// Replicas of the KV bucket on a NATS cluster (0: 1).
	Replicas int
	Logger   *slog.Logger
	// Metrics are the applications' metrics (nil: unregistered ones).
	Metrics *host.Metrics
	// Streams is the Kinesis shard store: KinesisStreamsInput and
	// DiscoverInputSchema read it.
	Streams *shardstore.Store
	// Kinesis writes KinesisStreamsOutput records.
	Kinesis *kinesis.Service
	// Firehose writes KinesisFirehoseOutput records.
	Firehose host.FirehoseClient
	// Functions invokes InputLambdaProcessor and LambdaOutput functions.
	Functions host.Functions
	// UDFs resolves the functions LANGUAGE WASM user functions call (nil:
	// such code is refused).
	UDFs udf.Invoker
	// Objects holds S3 objects: reference data and DiscoverInputSchema's
	// S3Configuration.
	Objects objstore.Store
	// TimeUnit is one second of the engine's checkpoint and advance
	// period (tests shorten it; default 1s).
	TimeUnit time.Duration
	// LeaseTTL is how long an application stays with a process that
	// stopped renewing its lease (0: the host's default); every process
	// must use the same.
	LeaseTTL time.Duration
	// Run runs one application (default host.Run); tests replace it.
	Run func(ctx context.Context, c host.Config) error
}

// Service serves KinesisAnalytics_20150814 and runs the RUNNING
// applications in this process (each one's host.Run holds a lease, so that
// one process of a deployment actually runs it).
type Service struct {
	cfg Config
	st  *store
	log *slog.Logger
	api awsservice.Dispatcher // the operations

	mu      sync.Mutex
	runs    map[string]*appRun // applications run by this process
	workers map[string]*worker // by application name
	wg      sync.WaitGroup     // the workers

	watch *kvutil.Watcher
}

// appRun is one application's host.Run in this process.
type appRun struct {
	runID   string
	version int64
	cancel  context.CancelFunc
	done    chan struct{}
}

type call = awsservice.Call

// Open builds the service on JetStream, creating its KV bucket if needed.
func Open(ctx context.Context, js jetstream.JetStream, cfg Config) (*Service, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TimeUnit <= 0 {
		cfg.TimeUnit = time.Second
	}
	if cfg.Metrics == nil {
		cfg.Metrics = host.NewMetrics(nil)
	}
	if cfg.Run == nil {
		cfg.Run = host.Run
	}
	st, err := openStore(ctx, js, cfg.Replicas)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, st: st, log: cfg.Logger, runs: map[string]*appRun{}, workers: map[string]*worker{}}
	s.api = awsservice.Dispatcher{Name: "analytics", Log: s.log, Marshal: marshalOut, Answer: answerSchemaError, Ops: map[string]awsservice.Op{
		"CreateApplication":                             s.create,
		"DescribeApplication":                           s.describe,
		"ListApplications":                              s.list,
		"DeleteApplication":                             s.delete,
		"StartApplication":                              s.start,
		"StopApplication":                               s.stop,
		"UpdateApplication":                             s.update,
		"AddApplicationInput":                           s.addInput,
		"AddApplicationOutput":                          s.addOutput,
		"AddApplicationReferenceDataSource":             s.addReference,
		"AddApplicationInputProcessingConfiguration":    s.addProcessing,
		"AddApplicationCloudWatchLoggingOption":         s.addLogging,
		"DeleteApplicationOutput":                       s.deleteOutput,
		"DeleteApplicationReferenceDataSource":          s.deleteReference,
		"DeleteApplicationInputProcessingConfiguration": s.deleteProcessing,
		"DeleteApplicationCloudWatchLoggingOption":      s.deleteLogging,
		"DiscoverInputSchema":                           s.discover,
		"TagResource":                                   s.tag,
		"UntagResource":                                 s.untag,
		"ListTagsForResource":                           s.listTags,
	}}
	return s, nil
}

// Register adds the service's operations to the HTTP tier.
func (s *Service) Register(srv interface {
	HandleTarget(prefix string, h router.Handler)
}) {
	srv.HandleTarget(TargetPrefix, router.HandlerFunc(s.Serve))
}

// Start watches the bucket: it runs the applications that are RUNNING
// (each process's host.Run waits for the application's lease) and carries
// out the status transitions (STARTING, STOPPING, UPDATING, DELETING),
// also ones a process that died left unfinished. It returns once the
// current state is applied.
func (s *Service) Start(ctx context.Context) error {
	w, err := kvutil.Watch(ctx, s.st.KV, s.apply)
	if err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	s.watch = w
	return nil
}

// Close stops the watcher and this process's application runs (each
// checkpoints as it returns). The applications stay RUNNING in the bucket:
// another process, or this one started again, resumes them.
func (s *Service) Close() {
	if s.watch != nil {
		s.watch.Stop()
		s.wg.Wait()
	}
	s.mu.Lock()
	runs := s.runs
	s.runs = map[string]*appRun{}
	s.mu.Unlock()
	for _, r := range runs {
		r.cancel()
	}
	for _, r := range runs {
		<-r.done
	}
}

// apply hands one change of the bucket to the application's worker:
// changes of one application are acted on in order, the latest replacing
// one not yet begun (only the last state matters), and a slow one (a run
// flushing and checkpointing as it stops) holds up no other application.
func (s *Service) apply(ctx context.Context, e jetstream.KeyValueEntry) {
	name := kvutil.UnescapeName(e.Key())
	s.mu.Lock()
	w := s.workers[name]
	if w == nil {
		w = &worker{wake: make(chan struct{}, 1)}
		s.workers[name] = w
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.work(ctx, w)
		}()
	}
	w.next = e
	s.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// worker carries out the changes of one application.
type worker struct {
	next jetstream.KeyValueEntry // guarded by Service.mu
	wake chan struct{}
}

func (s *Service) work(ctx context.Context, w *worker) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		s.mu.Lock()
		e := w.next
		w.next = nil
		s.mu.Unlock()
		if e != nil {
			s.handle(ctx, e)
		}
	}
}

// handle acts on one change of an application. Transitions are written by
// compare-and-set, so that when every process handles the same change one
// of them moves the application on.
func (s *Service) handle(ctx context.Context, e jetstream.KeyValueEntry) {
	if e.Operation() != jetstream.KeyValuePut {
		// Deleted (by this process or another, after DELETING): a run of
		// this process may have checkpointed after the deleting process
		// removed the checkpoints.
		name := kvutil.UnescapeName(e.Key())
		if s.stopRun(name) {
			s.deleteCheckpoints(ctx, name)
		}
		return
	}
	m, err := s.st.Decode(e.Value())
	if err != nil {
		s.log.Error("analytics: bad application record", "key", e.Key(), "err", err)
		return
	}
	switch m.Status {
	case StatusReady:
		s.stopRun(m.Name)
	case StatusStarting:
		s.startRun(m)
		s.transition(ctx, m, StatusStarting, StatusRunning)
	case StatusRunning:
		s.startRun(m)
	case StatusUpdating:
		s.startRun(m)
		s.transition(ctx, m, StatusUpdating, StatusRunning)
	case StatusStopping:
		s.stopRun(m.Name)
		s.transition(ctx, m, StatusStopping, StatusReady)
	case StatusDeleting:
		s.stopRun(m.Name)
		s.deleteCheckpoints(ctx, m.Name)
		if err := s.st.KV.Delete(ctx, e.Key(), jetstream.LastRevision(e.Revision())); err != nil && !kvutil.IsConflictOrGone(err) && ctx.Err() == nil {
			s.log.Error("analytics: delete", "name", m.Name, "err", err)
		}
	}
}

func (s *Service) deleteCheckpoints(ctx context.Context, name string) {
	if err := host.Delete(ctx, s.st.js, name); err != nil && ctx.Err() == nil {
		s.log.Error("analytics: delete checkpoints", "name", name, "err", err)
	}
}

// transition moves m from status from to status to, unless the
// application changed since (another process did it, or a newer request).
func (s *Service) transition(ctx context.Context, m *Meta, from, to string) {
	_, err := s.st.Update(ctx, m.Name, func(cur *Meta) error {
		if cur.Status != from || cur.Version != m.Version || cur.RunID != m.RunID {
			return errSkip
		}
		cur.Status = to
		return nil
	})
	if err != nil && !errors.Is(err, errSkip) && !errors.Is(err, errNotFound) && ctx.Err() == nil {
		s.log.Error("analytics: status", "name", m.Name, "from", from, "to", to, "err", err)
	}
}

// startRun runs m in this process unless its current run and version
// already do; a run of an older version is stopped first (the new one
// resumes from its checkpoint: same RunID).
func (s *Service) startRun(m *Meta) {
	s.mu.Lock()
	r := s.runs[m.Name]
	s.mu.Unlock()
	if r != nil {
		if r.runID == m.RunID && r.version == m.Version {
			return
		}
		s.stopRun(m.Name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r = &appRun{runID: m.RunID, version: m.Version, cancel: cancel, done: make(chan struct{})}
	s.mu.Lock()
	if s.runs[m.Name] != nil {
		s.mu.Unlock()
		cancel()
		return
	}
	s.runs[m.Name] = r
	s.mu.Unlock()
	cfg := s.hostConfig(m)
	go func() {
		defer close(r.done)
		s.runLoop(ctx, cfg)
	}()
}

// stopRun ends this process's run of an application, if any, once it
// has flushed and checkpointed; it reports whether there was one.
func (s *Service) stopRun(name string) bool {
	s.mu.Lock()
	r := s.runs[name]
	delete(s.runs, name)
	s.mu.Unlock()
	if r != nil {
		r.cancel()
		<-r.done
	}
	return r != nil
}

// Serve handles one Kinesis Analytics request.
func (s *Service) Serve(r *router.Request) *router.Response { return s.api.Serve(r) }

// answerSchemaError answers UnableToDetectSchemaException with its
// records.
func answerSchemaError(err error) *router.Response {
	var se *schemaError
	if !errors.As(err, &se) {
		return nil
	}
	body, _ := json.Marshal(se)
	return awsservice.Response(400, body)
}

// marshalOut encodes a response without null members (and without enum
// members left empty): the SDK shapes inside have no omitempty tags, and
// AWS leaves members without a value out.
func marshalOut(out any) ([]byte, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var v any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(dropNulls(v))
}

// enumMembers are the members of enum shapes: the SDK types hold an unset
// one as "".
var enumMembers = map[string]bool{"InputStartingPosition": true, "RecordFormatType": true, "ApplicationStatus": true}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil || (e == "" && enumMembers[k]) {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(e)
		}
	case []any:
		for i := range x {
			x[i] = dropNulls(x[i])
		}
	}
	return v
}

// schemaError is UnableToDetectSchemaException with the records AWS
// returns in it.
type schemaError struct {
	Type                  string   `json:"__type"`
	Message               string   `json:"message"`
	RawInputRecords       []string `json:"RawInputRecords,omitempty"`
	ProcessedInputRecords []string `json:"ProcessedInputRecords,omitempty"`
}

func (e *schemaError) Error() string { return e.Type + ": " + e.Message }

// ARN of an application.
func (s *Service) arn(name string) string {
	return "arn:aws:kinesisanalytics:" + s.cfg.Region + ":" + s.cfg.AccountID + ":application/" + name
}

func (s *Service) notFound(name string) error {
	return resourceNotFound.New("Application %s not found", name)
}

func (s *Service) storeErr(name string, err error) error {
	if errors.Is(err, errNotFound) {
		return s.notFound(name)
	}
	return err
}

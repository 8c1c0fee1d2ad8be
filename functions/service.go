package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/runtime/engine"
)

// Engines maps an engine kind to the engine that runs it: "wasm" runs
// Runtime "wasm"; "lambda" runs the Lambda runtimes (provided,
// provided.al2, provided.al2023, go1.x).
type Engines map[string]engine.Engine

// Engine kinds, the keys of Engines.
const (
	EngineWasm   = "wasm"
	EngineLambda = "lambda"
)

// engineKind is the Engines key that runs runtime, "" when none does.
func engineKind(runtime string) string {
	switch {
	case runtime == "wasm":
		return EngineWasm
	case runtime == "go1.x", runtime == "provided", strings.HasPrefix(runtime, "provided."):
		return EngineLambda
	}
	return ""
}

// Config configures the registry.
type Config struct {
	Region    string // default us-east-1
	AccountID string // default 000000000000
	// Bucket is the KV bucket of function metadata; CodeBucket the object
	// store of code packages. Defaults kinesin-functions and
	// kinesin-function-code.
	Bucket, CodeBucket string
	// Replicas of both buckets on a NATS cluster (default 1).
	Replicas int
	// CodeDir is the local cache directory Lambda-runtime packages are
	// extracted to, one subdirectory per package. Default: a directory
	// under os.TempDir().
	CodeDir string
	// CodeStorageLimit caps the bytes of all stored packages (Lambda's
	// 75 GB code storage quota by default).
	CodeStorageLimit int64
	// AccountConcurrency is the account's concurrency quota; reserved
	// concurrency may not leave less than 100 of it unreserved. Default 1000.
	AccountConcurrency int
	// CodeCacheBytes caps the WebAssembly modules kept in memory (64 MiB).
	CodeCacheBytes int
	// LogStream is the JetStream stream of function logs (subjects
	// kinesin.logs.<function>), default KINESIN_FUNCTION_LOGS; it keeps
	// LogMaxAge (24h) and at most LogMaxBytes (256 MiB), dropping the
	// oldest logs first.
	LogStream   string
	LogMaxAge   time.Duration
	LogMaxBytes int64
	Logger      *slog.Logger
}

// Service is the function registry and its Lambda API.
type Service struct {
	cfg     Config
	st      *store
	logs    *logs
	engines Engines
	log     *slog.Logger
	cache   codeCache
	conc    concurrency
	events  eventQueue

	ctx    context.Context // background work; ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New opens (creating when missing) the registry's buckets, resumes the
// validation of functions left Pending by a process that stopped, and
// watches for changes made by any process to evict stale warm instances.
func New(js jetstream.JetStream, engines Engines, cfg Config) (*Service, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Bucket == "" {
		cfg.Bucket = "kinesin-functions"
	}
	if cfg.CodeBucket == "" {
		cfg.CodeBucket = "kinesin-function-code"
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	if cfg.CodeDir == "" {
		cfg.CodeDir = filepath.Join(os.TempDir(), "kinesin-function-code")
	}
	if cfg.CodeStorageLimit == 0 {
		cfg.CodeStorageLimit = 75 << 30
	}
	if cfg.AccountConcurrency == 0 {
		cfg.AccountConcurrency = 1000
	}
	if cfg.CodeCacheBytes == 0 {
		cfg.CodeCacheBytes = 64 << 20
	}
	if cfg.LogStream == "" {
		cfg.LogStream = "KINESIN_FUNCTION_LOGS"
	}
	if cfg.LogMaxAge == 0 {
		cfg.LogMaxAge = 24 * time.Hour
	}
	if cfg.LogMaxBytes == 0 {
		cfg.LogMaxBytes = 256 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	openCtx, openCancel := context.WithTimeout(ctx, 30*time.Second)
	defer openCancel()
	st, err := openStore(openCtx, js, cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	lg, err := openLogs(openCtx, js, cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &Service{cfg: cfg, st: st, logs: lg, engines: engines, log: cfg.Logger, ctx: ctx, cancel: cancel}
	s.cache.limit = cfg.CodeCacheBytes
	s.conc.init()
	if err := s.watch(); err != nil {
		cancel()
		return nil, err
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.resume()
	}()
	go func() {
		defer s.wg.Done()
		s.runLogPublisher()
	}()
	return s, nil
}

// Close stops background work (validations, Event invocations) and waits
// for it; call it after the HTTP tier has stopped serving. It does not
// close the engines, which the caller owns.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// Register adds the Lambda REST routes to the HTTP tier, and kinesin's
// function logs at LogsPath.
func (s *Service) Register(srv interface {
	HandlePath(method, prefix string, h router.Handler)
}) {
	for _, p := range []string{"/2015-03-31/functions", "/2017-10-31/functions", "/2019-09-30/functions"} {
		prefix := p
		srv.HandlePath("", prefix, router.HandlerFunc(func(r *router.Request) *router.Response {
			return s.serve(prefix, r)
		}))
	}
	srv.HandlePath("", LogsPath, router.HandlerFunc(s.serveLogs))
}

// call is one API request.
type call struct {
	r     *router.Request
	ctx   context.Context
	query url.Values
}

// decodeChecked decodes a request body and runs its constraint checks,
// answering ValidationException with every violation.
func (c *call) decodeChecked(in interface{ check(*awserr.Violations) }) error {
	if err := c.decode(in); err != nil {
		return err
	}
	var v awserr.Violations
	in.check(&v)
	return validationErr(&v)
}

func (c *call) decode(v any) error {
	if len(c.r.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.r.Body, v); err != nil {
		return InvalidParameter.New("Could not parse request body into json: %s", jsonErrText(err))
	}
	return nil
}

func jsonErrText(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "Cannot deserialize value of type " + te.Type.String() + " for field " + te.Field
	}
	return err.Error()
}

// result is an operation's answer.
type result struct {
	status int
	body   any
	resp   *router.Response // set by Invoke, which shapes its own answer
}

type opFunc func(c *call, name string, rest []string) (result, error)

func (s *Service) serve(prefix string, r *router.Request) *router.Response {
	q, err := url.ParseQuery(r.RawQuery)
	if err != nil {
		return errorResponse(InvalidParameter.New("Invalid query string."))
	}
	c := &call{r: r, ctx: r.Ctx, query: q}
	if c.ctx == nil {
		c.ctx = context.Background()
	}
	rest := strings.Trim(r.Path[len(prefix):], "/")
	var segs []string
	if rest != "" {
		segs = strings.Split(rest, "/")
	}
	op := s.route(prefix, r.Method, segs)
	if op == nil {
		return errorResponse(UnknownOperation.New("Unknown operation %s %s", r.Method, r.Path))
	}
	name := ""
	if len(segs) > 0 {
		name = segs[0]
	}
	var more []string
	if len(segs) > 2 {
		more = segs[2:]
	}
	res, err := op(c, name, more)
	if err != nil {
		if !isAPIError(err) {
			s.log.Error("functions: request failed", "method", r.Method, "path", r.Path, "err", err)
		}
		return errorResponse(err)
	}
	if res.resp != nil {
		return res.resp
	}
	resp := &router.Response{Status: res.status, Header: map[string]string{"Content-Type": "application/json"}}
	if res.body != nil {
		b, err := json.Marshal(res.body)
		if err != nil {
			return errorResponse(err)
		}
		resp.Body = b
	}
	return resp
}

func isAPIError(err error) bool {
	var e *awserr.Error
	return errors.As(err, &e)
}

func (s *Service) route(prefix, method string, segs []string) opFunc {
	key := method + " " + prefix + "/"
	switch len(segs) {
	case 0:
		key += ""
	case 1:
		key += "{}"
	case 2:
		key += "{}/" + segs[1]
	case 3:
		key += "{}/" + segs[1] + "/{}"
	default:
		return nil
	}
	switch key {
	case "POST /2015-03-31/functions/":
		return s.createFunction
	case "GET /2015-03-31/functions/":
		return s.listFunctions
	case "GET /2015-03-31/functions/{}":
		return s.getFunction
	case "DELETE /2015-03-31/functions/{}":
		return s.deleteFunction
	case "GET /2015-03-31/functions/{}/configuration":
		return s.getFunctionConfiguration
	case "PUT /2015-03-31/functions/{}/configuration":
		return s.updateFunctionConfiguration
	case "PUT /2015-03-31/functions/{}/code":
		return s.updateFunctionCode
	case "GET /2015-03-31/functions/{}/package":
		return s.getPackage
	case "POST /2015-03-31/functions/{}/versions":
		return s.publishVersion
	case "GET /2015-03-31/functions/{}/versions":
		return s.listVersions
	case "POST /2015-03-31/functions/{}/aliases":
		return s.createAlias
	case "GET /2015-03-31/functions/{}/aliases":
		return s.listAliases
	case "GET /2015-03-31/functions/{}/aliases/{}":
		return s.getAlias
	case "PUT /2015-03-31/functions/{}/aliases/{}":
		return s.updateAlias
	case "DELETE /2015-03-31/functions/{}/aliases/{}":
		return s.deleteAlias
	case "POST /2015-03-31/functions/{}/invocations":
		return s.invoke
	case "PUT /2017-10-31/functions/{}/concurrency":
		return s.putConcurrency
	case "DELETE /2017-10-31/functions/{}/concurrency":
		return s.deleteConcurrency
	case "GET /2019-09-30/functions/{}/concurrency":
		return s.getConcurrency
	}
	return nil
}

// newRevisionID is a random UUID, the form of Lambda's RevisionId and
// request ids.
func newRevisionID() string { return uuid.New() }

// lambdaTime formats a time as Lambda's LastModified.
func lambdaTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }

// watch evicts warm instances of a function whenever any process changes
// or deletes it.
func (s *Service) watch() error {
	w, err := s.st.kv.WatchFiltered(s.ctx, []string{"f.>", "v.>"}, jetstream.UpdatesOnly())
	if err != nil {
		return fmt.Errorf("functions: watch: %w", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer w.Stop()
		// Settling a function (Pending → Active) rewrites its record with
		// the same RevisionId; only real changes and deletions evict, so
		// the instance warmed by validation survives.
		seen := map[string]string{}
		for {
			select {
			case <-s.ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil {
					continue
				}
				key := e.Key()
				deleted := e.Operation() != jetstream.KeyValuePut
				if strings.HasPrefix(key, "v.") {
					if deleted {
						name := key[2:]
						if i := strings.LastIndexByte(name, '.'); i >= 0 {
							s.evict(name[:i])
						}
					}
					continue
				}
				name := key[2:]
				if deleted {
					delete(seen, name)
					s.evict(name)
					continue
				}
				var rec funcRecord
				if json.Unmarshal(e.Value(), &rec) != nil {
					continue
				}
				if prev, ok := seen[name]; !ok || prev != rec.Config.RevisionId {
					s.evict(name)
				}
				seen[name] = rec.Config.RevisionId
			}
		}
	}()
	return nil
}

// evict drops warm instances of a function in every engine of this
// process (other processes evict through their watch).
func (s *Service) evict(name string) {
	for _, eng := range s.engines {
		if eng != nil {
			eng.Evict(name)
		}
	}
}

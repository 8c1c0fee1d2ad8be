package functions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
)

var (
	rolePattern   = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKeyPattern = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
)

const roleConstraint = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`

// reservedEnv are the variables Lambda sets itself.
var reservedEnv = []string{"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"}

// configInput is what CreateFunction and UpdateFunctionConfiguration share.
type configInput struct {
	Role        *string      `json:"Role"`
	Handler     *string      `json:"Handler"`
	Description *string      `json:"Description"`
	Timeout     *int         `json:"Timeout"`
	MemorySize  *int         `json:"MemorySize"`
	Environment *Environment `json:"Environment"`
	Runtime     *string      `json:"Runtime"`
	RevisionId  string       `json:"RevisionId"`
}

func (in *configInput) check(v *awserr.Violations) {
	if in.Role != nil && !rolePattern.MatchString(*in.Role) {
		v.Add(*in.Role, "role", awserr.Pattern(roleConstraint))
	}
	if in.Handler != nil && len(*in.Handler) > 128 {
		v.Add(*in.Handler, "handler", awserr.MaxLen(128))
	}
	if in.Description != nil && len(*in.Description) > 256 {
		v.Add(*in.Description, "description", awserr.MaxLen(256))
	}
	if in.Timeout != nil && *in.Timeout < 1 {
		v.Add(strconv.Itoa(*in.Timeout), "timeout", awserr.MinVal(1))
	}
	if in.MemorySize != nil {
		if *in.MemorySize < 128 {
			v.Add(strconv.Itoa(*in.MemorySize), "memorySize", awserr.MinVal(128))
		} else if *in.MemorySize > 10240 {
			v.Add(strconv.Itoa(*in.MemorySize), "memorySize", awserr.MaxVal(10240))
		}
	}
}

// semantic checks after the model constraints, as InvalidParameterValue.
func (s *Service) checkConfig(in *configInput) error {
	if in.Timeout != nil && *in.Timeout > 900 {
		return InvalidParameter.New("Timeout must be between 1 and 900 seconds.")
	}
	if in.Runtime != nil {
		if err := s.checkRuntime(*in.Runtime); err != nil {
			return err
		}
	}
	if in.Environment != nil {
		size := 0
		var reserved []string
		for _, k := range slices.Sorted(maps.Keys(in.Environment.Variables)) {
			if !envKeyPattern.MatchString(k) {
				var v awserr.Violations
				v.Add("[sensitive]", "environment.variables", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+")
				return validationErr(&v)
			}
			if slices.Contains(reservedEnv, k) {
				reserved = append(reserved, k)
			}
			size += len(k) + len(in.Environment.Variables[k])
		}
		if len(reserved) > 0 {
			return InvalidParameter.New("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
		}
		if size > 4096 {
			return InvalidParameter.New("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d", size)
		}
	}
	return nil
}

func (s *Service) checkRuntime(rt string) error {
	kind := engineKind(rt)
	if kind == "" {
		return InvalidParameter.New("The runtime parameter of %s is not supported by kinesin; use wasm, provided.al2023, provided.al2, provided or go1.x.", rt)
	}
	if s.engines[kind] == nil {
		return InvalidParameter.New("The runtime parameter of %s is not available: this server runs no %s engine.", rt, kind)
	}
	return nil
}

func (in *configInput) apply(c *FunctionConfiguration) {
	if in.Role != nil {
		c.Role = *in.Role
	}
	if in.Handler != nil {
		c.Handler = *in.Handler
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.Runtime != nil {
		c.Runtime = *in.Runtime
	}
	if in.Environment != nil {
		c.Environment = &EnvironmentResponse{Variables: in.Environment.Variables}
		if c.Environment.Variables == nil {
			c.Environment.Variables = map[string]string{}
		}
	}
}

type createInput struct {
	configInput
	FunctionName  string            `json:"FunctionName"`
	Code          *FunctionCode     `json:"Code"`
	Publish       bool              `json:"Publish"`
	PackageType   string            `json:"PackageType"`
	Architectures []string          `json:"Architectures"`
	Tags          map[string]string `json:"Tags"`
}

func checkArchitectures(v *awserr.Violations, a []string) {
	if a == nil {
		return
	}
	if len(a) != 1 {
		v.Add(awserr.ListValue(a), "architectures", "Member must have length less than or equal to 1")
		return
	}
	if a[0] != "x86_64" && a[0] != "arm64" {
		v.Add(awserr.ListValue(a), "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
	}
}

func (s *Service) createFunction(c *call, _ string, _ []string) (result, error) {
	var in createInput
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	var v awserr.Violations
	if in.FunctionName == "" {
		v.Null("functionName")
	}
	if in.Role == nil {
		v.Null("role")
	}
	if in.Code == nil {
		v.Null("code")
	}
	in.check(&v)
	checkArchitectures(&v, in.Architectures)
	if in.PackageType != "" && in.PackageType != "Zip" && in.PackageType != "Image" {
		v.Add(in.PackageType, "packageType", awserr.Enum("Zip", "Image"))
	}
	if err := validationErr(&v); err != nil {
		return result{}, err
	}
	ref, err := s.parseRef(in.FunctionName, "")
	if err != nil {
		return result{}, err
	}
	if ref.Qualifier != "" {
		return result{}, InvalidParameter.New("Function name cannot be qualified: %s", in.FunctionName)
	}
	if in.PackageType == "Image" || in.Code.ImageUri != "" {
		return result{}, InvalidParameter.New("Container images (PackageType Image) are not supported by kinesin.")
	}
	if in.Runtime == nil || *in.Runtime == "" {
		return result{}, InvalidParameter.New("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := s.checkConfig(&in.configInput); err != nil {
		return result{}, err
	}
	if in.Code.S3Bucket != "" || in.Code.S3Key != "" {
		return result{}, InvalidParameter.New("Code from S3 is not supported by kinesin; upload Code.ZipFile.")
	}
	if len(in.Code.ZipFile) == 0 {
		return result{}, InvalidParameter.New("Please provide a source for function code.")
	}
	pkg := newPackage(in.Code.ZipFile)
	if err := checkPackage(*in.Runtime, pkg.data); err != nil {
		return result{}, err
	}
	if err := s.storeCode(c.ctx, pkg); err != nil {
		return result{}, err
	}

	now := lambdaTime(time.Now())
	cfg := FunctionConfiguration{
		FunctionName: ref.Name, FunctionArn: s.functionARN(ref.Name), Timeout: 3, MemorySize: 128,
		LastModified: now, CodeSha256: pkg.sha, CodeSize: int64(len(pkg.data)), Version: latest,
		TracingConfig: tracingConfig{Mode: "PassThrough"}, RevisionId: newRevisionID(),
		PackageType: "Zip", Architectures: []string{"x86_64"}, EphemeralStorage: ephemeralStorage{Size: 512},
		LoggingConfig: loggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + ref.Name},
		SnapStart:     snapStart{ApplyOn: "None", OptimizationStatus: "Off"},
	}
	in.apply(&cfg)
	if in.Architectures != nil {
		cfg.Architectures = in.Architectures
	}
	setInProgress(&cfg, true)
	rec := funcRecord{Config: cfg, Tags: in.Tags}
	out := cfg
	if in.Publish {
		rec.LastVersion = 1
		rec.PublishedHash = configHash(&cfg)
		out.Version = "1"
	}
	if _, err := s.st.put(c.ctx, funcKey(ref.Name), &rec, 0); err != nil {
		if err == errConflict {
			s.gcCode(pkg.sha)
			return result{}, ResourceConflict.New("Function already exist: %s", ref.Name)
		}
		return result{}, err
	}
	if in.Publish {
		if _, err := s.st.put(c.ctx, versionKey(ref.Name, "1"), &out, 0); err != nil {
			return result{}, err
		}
		out.FunctionArn = s.qualifiedARN(ref.Name, "1")
	}
	s.settleLater(ref.Name)
	return result{status: 201, body: &out}, nil
}

// setInProgress marks a configuration as being created or updated.
func setInProgress(c *FunctionConfiguration, create bool) {
	if create {
		c.State, c.StateReason, c.StateReasonCode = statePending, "The function is being created.", "Creating"
	}
	c.LastUpdateStatus = updInProgress
	c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "The function is being created.", "Creating"
}

// configHash identifies what a published version freezes.
func configHash(c *FunctionConfiguration) string {
	x := *c
	x.LastModified, x.RevisionId, x.Version, x.State, x.StateReason, x.StateReasonCode = "", "", "", "", "", ""
	x.LastUpdateStatus, x.LastUpdateStatusReason, x.LastUpdateStatusReasonCode = "", "", ""
	b, _ := json.Marshal(&x)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *Service) storeCode(ctx context.Context, pkg codePackage) error {
	if st, err := s.st.obj.Status(ctx); err == nil && int64(st.Size())+int64(len(pkg.data)) > s.cfg.CodeStorageLimit {
		return CodeStorageExceeded.New("Code storage limit exceeded.")
	}
	return s.st.putCode(ctx, pkg.hexSum, pkg.data)
}

// loadFunc reads a function record or answers ResourceNotFound.
func (s *Service) loadFunc(ctx context.Context, name string) (*funcRecord, uint64, error) {
	var rec funcRecord
	rev, err := s.st.get(ctx, funcKey(name), &rec)
	if err != nil {
		return nil, 0, err
	}
	if rev == 0 {
		return nil, 0, ResourceNotFound.New("Function not found: %s", s.functionARN(name))
	}
	return &rec, rev, nil
}

// loadConfig returns the configuration a qualifier names ($LATEST, a
// version or an alias, which may route to a second version) and the
// version it resolved to.
func (s *Service) loadConfig(ctx context.Context, r ref) (*FunctionConfiguration, *funcRecord, error) {
	return s.loadConfigRouted(ctx, r, false)
}

// loadConfigRouted is loadConfig that, when route is set, follows an
// alias's routing configuration to its additional version by weight.
func (s *Service) loadConfigRouted(ctx context.Context, r ref, route bool) (*FunctionConfiguration, *funcRecord, error) {
	rec, _, err := s.loadFunc(ctx, r.Name)
	if err != nil {
		return nil, nil, err
	}
	q := r.Qualifier
	if q == "" || q == latest {
		return &rec.Config, rec, nil
	}
	if strings.Contains(q, "$") { // neither $LATEST nor a version or alias
		return nil, nil, ResourceNotFound.New("Function not found: %s", s.qualifiedARN(r.Name, q))
	}
	if !isVersion(q) {
		var a AliasConfiguration
		rev, err := s.st.get(ctx, aliasKey(r.Name, q), &a)
		if err != nil {
			return nil, nil, err
		}
		if rev == 0 {
			return nil, nil, ResourceNotFound.New("Function not found: %s", s.qualifiedARN(r.Name, q))
		}
		q = a.FunctionVersion
		if route && a.RoutingConfig != nil {
			x := rand.Float64()
			for v, w := range a.RoutingConfig.AdditionalVersionWeights {
				if x < w {
					q = v
				}
			}
		}
		if q == latest {
			return &rec.Config, rec, nil
		}
	}
	var cfg FunctionConfiguration
	rev, err := s.st.get(ctx, versionKey(r.Name, q), &cfg)
	if err != nil {
		return nil, nil, err
	}
	if rev == 0 {
		return nil, nil, ResourceNotFound.New("Function not found: %s", s.qualifiedARN(r.Name, r.Qualifier))
	}
	return &cfg, rec, nil
}

// view is a configuration as answered for qualifier q.
func (s *Service) view(c *FunctionConfiguration, q string) *FunctionConfiguration {
	out := *c
	out.FunctionArn = s.qualifiedARN(c.FunctionName, q)
	return &out
}

func (s *Service) getFunctionConfiguration(c *call, name string, _ []string) (result, error) {
	r, err := s.parseRef(name, c.query.Get("Qualifier"))
	if err != nil {
		return result{}, err
	}
	cfg, _, err := s.loadConfig(c.ctx, r)
	if err != nil {
		return result{}, err
	}
	return result{status: 200, body: s.view(cfg, r.Qualifier)}, nil
}

type functionCodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

type concurrencyOut struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

func (s *Service) getFunction(c *call, name string, _ []string) (result, error) {
	r, err := s.parseRef(name, c.query.Get("Qualifier"))
	if err != nil {
		return result{}, err
	}
	cfg, rec, err := s.loadConfig(c.ctx, r)
	if err != nil {
		return result{}, err
	}
	host := c.r.Header("Host")
	if host == "" {
		host = "localhost"
	}
	loc := "http://" + host + "/2015-03-31/functions/" + r.Name + "/package"
	if r.Qualifier != "" {
		loc += "?Qualifier=" + r.Qualifier
	}
	out := struct {
		Configuration *FunctionConfiguration `json:"Configuration"`
		Code          functionCodeLocation   `json:"Code"`
		Concurrency   *concurrencyOut        `json:"Concurrency,omitempty"`
		Tags          map[string]string      `json:"Tags,omitempty"`
	}{Configuration: s.view(cfg, r.Qualifier), Code: functionCodeLocation{RepositoryType: "S3", Location: loc}, Tags: rec.Tags}
	if rec.Reserved != nil {
		out.Concurrency = &concurrencyOut{ReservedConcurrentExecutions: rec.Reserved}
	}
	return result{status: 200, body: &out}, nil
}

// getPackage serves a function's deployment package: GetFunction's
// Code.Location points here.
func (s *Service) getPackage(c *call, name string, _ []string) (result, error) {
	r, err := s.parseRef(name, c.query.Get("Qualifier"))
	if err != nil {
		return result{}, err
	}
	cfg, _, err := s.loadConfig(c.ctx, r)
	if err != nil {
		return result{}, err
	}
	b, err := s.st.getCode(c.ctx, hexOfSha(cfg.CodeSha256))
	if err != nil {
		return result{}, err
	}
	return result{resp: &router.Response{Status: 200, Body: b, Header: map[string]string{"Content-Type": "application/zip"}}}, nil
}

// pageParams reads Marker and MaxItems (1–10,000, default 50).
func pageParams(c *call) (marker string, max int, err error) {
	marker, max = c.query.Get("Marker"), 50
	if s := c.query.Get("MaxItems"); s != "" {
		n, convErr := strconv.Atoi(s)
		if convErr != nil || n < 1 || n > 10000 {
			var v awserr.Violations
			if convErr == nil && n < 1 {
				v.Add(s, "maxItems", awserr.MinVal(1))
			} else {
				v.Add(s, "maxItems", awserr.MaxVal(10000))
			}
			return "", 0, validationErr(&v)
		}
		max = n
	}
	return marker, max, nil
}

// page cuts items after marker (an index, as a decimal string).
func page[T any](items []T, marker string, max int) ([]T, *string, error) {
	start := 0
	if marker != "" {
		n, err := strconv.Atoi(marker)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, InvalidParameter.New("Invalid Marker: %s", marker)
		}
		start = n
	}
	end := min(start+max, len(items))
	var next *string
	if end < len(items) {
		m := strconv.Itoa(end)
		next = &m
	}
	return items[start:end], next, nil
}

func (s *Service) listFunctions(c *call, _ string, _ []string) (result, error) {
	marker, max, err := pageParams(c)
	if err != nil {
		return result{}, err
	}
	all := c.query.Get("FunctionVersion")
	if all != "" && all != "ALL" {
		var v awserr.Violations
		v.Add(all, "functionVersion", awserr.Enum("ALL"))
		return result{}, validationErr(&v)
	}
	keys, err := s.st.keys(c.ctx, "f.")
	if err != nil {
		return result{}, err
	}
	var items []*FunctionConfiguration
	for _, k := range keys {
		name := k[2:]
		var rec funcRecord
		rev, err := s.st.get(c.ctx, k, &rec)
		if err != nil {
			return result{}, err
		}
		if rev == 0 {
			continue
		}
		if all == "" {
			items = append(items, s.view(&rec.Config, ""))
			continue
		}
		vers, err := s.versions(c.ctx, name, &rec)
		if err != nil {
			return result{}, err
		}
		items = append(items, vers...)
	}
	items, next, err := page(items, marker, max)
	if err != nil {
		return result{}, err
	}
	if items == nil {
		items = []*FunctionConfiguration{}
	}
	return result{status: 200, body: map[string]any{"Functions": items, "NextMarker": next}}, nil
}

// versions lists $LATEST then the published versions in order.
func (s *Service) versions(ctx context.Context, name string, rec *funcRecord) ([]*FunctionConfiguration, error) {
	out := []*FunctionConfiguration{s.view(&rec.Config, latest)}
	keys, err := s.st.keys(ctx, "v."+name+".")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(keys, func(a, b string) int { return versionNumber(lastKeyPart(a)) - versionNumber(lastKeyPart(b)) })
	for _, k := range keys {
		var cfg FunctionConfiguration
		rev, err := s.st.get(ctx, k, &cfg)
		if err != nil {
			return nil, err
		}
		if rev != 0 {
			out = append(out, s.view(&cfg, cfg.Version))
		}
	}
	return out, nil
}

func (s *Service) listVersions(c *call, name string, _ []string) (result, error) {
	marker, max, err := pageParams(c)
	if err != nil {
		return result{}, err
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	rec, _, err := s.loadFunc(c.ctx, r.Name)
	if err != nil {
		return result{}, err
	}
	items, err := s.versions(c.ctx, r.Name, rec)
	if err != nil {
		return result{}, err
	}
	items, next, err := page(items, marker, max)
	if err != nil {
		return result{}, err
	}
	return result{status: 200, body: map[string]any{"Versions": items, "NextMarker": next}}, nil
}

// updateFunc applies change to a function's record with optimistic
// concurrency, retrying when another writer got there first.
func (s *Service) updateFunc(ctx context.Context, name string, change func(rec *funcRecord) error) (*funcRecord, error) {
	for range 20 {
		rec, rev, err := s.loadFunc(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := change(rec); err != nil {
			return nil, err
		}
		if _, err := s.st.put(ctx, funcKey(name), rec, rev); err != errConflict {
			return rec, err
		}
	}
	return nil, ResourceConflict.New("The function %s is being modified concurrently; try again.", name)
}

func (s *Service) checkUpdatable(rec *funcRecord, revisionID string) error {
	if rec.Config.LastUpdateStatus == updInProgress {
		return ResourceConflict.New("The operation cannot be performed at this time. An update is in progress for resource: %s", rec.Config.FunctionArn)
	}
	if revisionID != "" && revisionID != rec.Config.RevisionId {
		return PreconditionFailed.New("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	return nil
}

func (s *Service) updateFunctionConfiguration(c *call, name string, _ []string) (result, error) {
	var in configInput
	if err := c.decodeChecked(&in); err != nil {
		return result{}, err
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	if err := s.checkConfig(&in); err != nil {
		return result{}, err
	}
	rec, err := s.updateFunc(c.ctx, r.Name, func(rec *funcRecord) error {
		if err := s.checkUpdatable(rec, in.RevisionId); err != nil {
			return err
		}
		if in.Runtime != nil && isWasm(*in.Runtime) != isWasm(rec.Config.Runtime) {
			return InvalidParameter.New("The runtime of a function can only change between runtimes of the same kind; update its code with the new runtime instead.")
		}
		in.apply(&rec.Config)
		rec.Config.LastModified, rec.Config.RevisionId = lambdaTime(time.Now()), newRevisionID()
		setInProgress(&rec.Config, false)
		return nil
	})
	if err != nil {
		return result{}, err
	}
	s.evict(r.Name)
	s.settleLater(r.Name)
	return result{status: 200, body: s.view(&rec.Config, "")}, nil
}

type updateCodeInput struct {
	ZipFile       []byte   `json:"ZipFile"`
	S3Bucket      string   `json:"S3Bucket"`
	S3Key         string   `json:"S3Key"`
	ImageUri      string   `json:"ImageUri"`
	Publish       bool     `json:"Publish"`
	DryRun        bool     `json:"DryRun"`
	RevisionId    string   `json:"RevisionId"`
	Architectures []string `json:"Architectures"`
}

func (s *Service) updateFunctionCode(c *call, name string, _ []string) (result, error) {
	var in updateCodeInput
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	var v awserr.Violations
	checkArchitectures(&v, in.Architectures)
	if err := validationErr(&v); err != nil {
		return result{}, err
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	if in.S3Bucket != "" || in.ImageUri != "" {
		return result{}, InvalidParameter.New("Code from S3 or container images is not supported by kinesin; upload ZipFile.")
	}
	if len(in.ZipFile) == 0 {
		return result{}, InvalidParameter.New("Please provide a source for function code.")
	}
	cur, _, err := s.loadFunc(c.ctx, r.Name)
	if err != nil {
		return result{}, err
	}
	pkg := newPackage(in.ZipFile)
	if err := checkPackage(cur.Config.Runtime, pkg.data); err != nil {
		return result{}, err
	}
	if in.DryRun {
		if err := s.checkUpdatable(cur, in.RevisionId); err != nil {
			return result{}, err
		}
		out := s.view(&cur.Config, "")
		out.CodeSha256, out.CodeSize = pkg.sha, int64(len(pkg.data))
		return result{status: 200, body: out}, nil
	}
	if err := s.storeCode(c.ctx, pkg); err != nil {
		return result{}, err
	}
	var published *FunctionConfiguration
	rec, err := s.updateFunc(c.ctx, r.Name, func(rec *funcRecord) error {
		if err := s.checkUpdatable(rec, in.RevisionId); err != nil {
			return err
		}
		rec.Config.CodeSha256, rec.Config.CodeSize = pkg.sha, int64(len(pkg.data))
		if in.Architectures != nil {
			rec.Config.Architectures = in.Architectures
		}
		rec.Config.LastModified, rec.Config.RevisionId = lambdaTime(time.Now()), newRevisionID()
		setInProgress(&rec.Config, false)
		published = nil
		if in.Publish {
			published = s.nextVersion(rec, "")
		}
		return nil
	})
	if err != nil {
		return result{}, err
	}
	out := s.view(&rec.Config, "")
	if published != nil {
		if _, err := s.st.put(c.ctx, versionKey(r.Name, published.Version), published, 0); err != nil {
			return result{}, err
		}
		out = s.view(published, published.Version)
	}
	s.evict(r.Name)
	s.settleLater(r.Name)
	s.gcCode(cur.Config.CodeSha256)
	return result{status: 200, body: out}, nil
}

// nextVersion bumps the record's version counter and returns the new
// version's configuration (to be stored by the caller).
func (s *Service) nextVersion(rec *funcRecord, description string) *FunctionConfiguration {
	rec.LastVersion++
	rec.PublishedHash = configHash(&rec.Config)
	v := rec.Config
	v.Version = strconv.Itoa(rec.LastVersion)
	if description != "" {
		v.Description = description
	}
	return &v
}

type publishInput struct {
	CodeSha256  string `json:"CodeSha256"`
	Description string `json:"Description"`
	RevisionId  string `json:"RevisionId"`
}

func (s *Service) publishVersion(c *call, name string, _ []string) (result, error) {
	var in publishInput
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	if len(in.Description) > 256 {
		var v awserr.Violations
		v.Add(in.Description, "description", awserr.MaxLen(256))
		return result{}, validationErr(&v)
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	var published *FunctionConfiguration
	existing := ""
	_, err = s.updateFunc(c.ctx, r.Name, func(rec *funcRecord) error {
		if err := s.checkUpdatable(rec, in.RevisionId); err != nil {
			return err
		}
		if in.CodeSha256 != "" && in.CodeSha256 != rec.Config.CodeSha256 {
			return InvalidParameter.New("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", in.CodeSha256, rec.Config.CodeSha256)
		}
		published, existing = nil, ""
		if rec.LastVersion > 0 && rec.PublishedHash == configHash(&rec.Config) {
			existing = strconv.Itoa(rec.LastVersion)
			return errUnchanged
		}
		published = s.nextVersion(rec, in.Description)
		return nil
	})
	if err == errUnchanged {
		var cfg FunctionConfiguration
		rev, gerr := s.st.get(c.ctx, versionKey(r.Name, existing), &cfg)
		if gerr != nil {
			return result{}, gerr
		}
		if rev != 0 {
			return result{status: 201, body: s.view(&cfg, cfg.Version)}, nil
		}
		// The version was deleted: publish anew.
		_, err = s.updateFunc(c.ctx, r.Name, func(rec *funcRecord) error {
			published = s.nextVersion(rec, in.Description)
			return nil
		})
	}
	if err != nil {
		return result{}, err
	}
	if _, err := s.st.put(c.ctx, versionKey(r.Name, published.Version), published, 0); err != nil {
		return result{}, err
	}
	return result{status: 201, body: s.view(published, published.Version)}, nil
}

var errUnchanged = fmt.Errorf("functions: unchanged")

func (s *Service) deleteFunction(c *call, name string, _ []string) (result, error) {
	r, err := s.parseRef(name, c.query.Get("Qualifier"))
	if err != nil {
		return result{}, err
	}
	rec, _, err := s.loadFunc(c.ctx, r.Name)
	if err != nil {
		return result{}, err
	}
	switch q := r.Qualifier; {
	case q == latest:
		return result{}, InvalidParameter.New("$LATEST version cannot be deleted without deleting the function.")
	case q != "" && !isVersion(q):
		return result{}, InvalidParameter.New("Deletion of aliases is not supported.")
	case q != "":
		var cfg FunctionConfiguration
		rev, err := s.st.get(c.ctx, versionKey(r.Name, q), &cfg)
		if err != nil {
			return result{}, err
		}
		if rev == 0 {
			return result{}, ResourceNotFound.New("Function not found: %s", s.qualifiedARN(r.Name, q))
		}
		aliases, err := s.aliases(c.ctx, r.Name)
		if err != nil {
			return result{}, err
		}
		var using []string
		for _, a := range aliases {
			if a.FunctionVersion == q {
				using = append(using, a.Name)
			} else if a.RoutingConfig != nil {
				if _, ok := a.RoutingConfig.AdditionalVersionWeights[q]; ok {
					using = append(using, a.Name)
				}
			}
		}
		if len(using) > 0 {
			return result{}, ResourceConflict.New("Unable to delete version because the following aliases reference it: %s", awserr.ListValue(using))
		}
		if err := s.st.del(c.ctx, versionKey(r.Name, q)); err != nil {
			return result{}, err
		}
		s.gcCode(cfg.CodeSha256)
		return result{status: 204}, nil
	}
	shas := []string{rec.Config.CodeSha256}
	for _, prefix := range []string{"a." + r.Name + ".", "v." + r.Name + "."} {
		keys, err := s.st.keys(c.ctx, prefix)
		if err != nil {
			return result{}, err
		}
		for _, k := range keys {
			if prefix[0] == 'v' {
				var cfg FunctionConfiguration
				if rev, err := s.st.get(c.ctx, k, &cfg); err == nil && rev != 0 {
					shas = append(shas, cfg.CodeSha256)
				}
			}
			if err := s.st.del(c.ctx, k); err != nil {
				return result{}, err
			}
		}
	}
	if err := s.st.del(c.ctx, funcKey(r.Name)); err != nil {
		return result{}, err
	}
	s.conc.forget(r.Name)
	s.evict(r.Name)
	s.gcCode(shas...)
	return result{status: 204}, nil
}

// codeGCGrace is how long gcCode spares a package after it was put.
var codeGCGrace = 10 * time.Minute

// gcCode deletes packages no function version references any more.
func (s *Service) gcCode(shas ...string) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
		defer cancel()
		used := map[string]bool{}
		for _, prefix := range []string{"f.", "v."} {
			keys, err := s.st.keys(ctx, prefix)
			if err != nil {
				return
			}
			for _, k := range keys {
				var cfg FunctionConfiguration
				var target any = &cfg
				var rec funcRecord
				if prefix == "f." {
					target = &rec
				}
				if _, err := s.st.get(ctx, k, target); err != nil {
					return
				}
				if prefix == "f." {
					cfg = rec.Config
				}
				used[cfg.CodeSha256] = true
			}
		}
		var young []string
		var retry time.Duration
		defer func() {
			if len(young) > 0 {
				s.gcCodeLater(retry, young)
			}
		}()
		for _, sha := range shas {
			if used[sha] {
				continue
			}
			hexSum := hexOfSha(sha)
			// A package put within the grace period may be referenced by a
			// create or update still in flight (putCode re-puts it).
			info, err := s.st.obj.GetInfo(ctx, hexSum)
			if err != nil {
				continue
			}
			if age := time.Since(info.ModTime); age < codeGCGrace {
				young = append(young, sha)
				retry = max(retry, codeGCGrace-age)
				continue
			}
			if s.st.obj.Delete(ctx, hexSum) == nil {
				_ = os.RemoveAll(filepath.Join(s.cfg.CodeDir, hexSum))
			}
		}
	}()
}

// gcCodeLater runs gcCode for shas after d, unless the service closes.
func (s *Service) gcCodeLater(d time.Duration, shas []string) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-s.ctx.Done():
		case <-t.C:
			s.gcCode(shas...)
		}
	}()
}

type concurrencyInput struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
}

func (s *Service) putConcurrency(c *call, name string, _ []string) (result, error) {
	var in concurrencyInput
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	var v awserr.Violations
	if in.ReservedConcurrentExecutions == nil {
		v.Null("reservedConcurrentExecutions")
	} else if *in.ReservedConcurrentExecutions < 0 {
		v.Add(strconv.Itoa(*in.ReservedConcurrentExecutions), "reservedConcurrentExecutions", awserr.MinVal(0))
	}
	if err := validationErr(&v); err != nil {
		return result{}, err
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	if r.Qualifier != "" {
		return result{}, InvalidParameter.New("Reserved concurrency is set on a function, not on a version or alias.")
	}
	others := 0
	keys, err := s.st.keys(c.ctx, "f.")
	if err != nil {
		return result{}, err
	}
	for _, k := range keys {
		if k == funcKey(r.Name) {
			continue
		}
		var rec funcRecord
		if _, err := s.st.get(c.ctx, k, &rec); err == nil && rec.Reserved != nil {
			others += *rec.Reserved
		}
	}
	want := *in.ReservedConcurrentExecutions
	if others+want > s.cfg.AccountConcurrency-100 {
		return result{}, InvalidParameter.New("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
	}
	if _, err := s.updateFunc(c.ctx, r.Name, func(rec *funcRecord) error {
		rec.Reserved = &want
		return nil
	}); err != nil {
		return result{}, err
	}
	return result{status: 200, body: &concurrencyOut{ReservedConcurrentExecutions: &want}}, nil
}

func (s *Service) getConcurrency(c *call, name string, _ []string) (result, error) {
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	rec, _, err := s.loadFunc(c.ctx, r.Name)
	if err != nil {
		return result{}, err
	}
	return result{status: 200, body: &concurrencyOut{ReservedConcurrentExecutions: rec.Reserved}}, nil
}

func (s *Service) deleteConcurrency(c *call, name string, _ []string) (result, error) {
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	if _, err := s.updateFunc(c.ctx, r.Name, func(rec *funcRecord) error {
		rec.Reserved = nil
		return nil
	}); err != nil {
		return result{}, err
	}
	return result{status: 204}, nil
}

package functions_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/runtime/engine"
)

func TestFunctionLifecycle(t *testing.T) {
	s := startStack(t)
	out, err := s.client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("echo"), Runtime: types.Runtime("provided.al2023"), Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &types.FunctionCode{ZipFile: echoZip},
		Description: aws.String("echoes"), Environment: &types.Environment{Variables: map[string]string{"GREETING": "hi"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(echoZip)
	arn := "arn:aws:lambda:us-east-1:" + account + ":function:echo"
	switch {
	case aws.ToString(out.FunctionArn) != arn:
		t.Errorf("FunctionArn %s", aws.ToString(out.FunctionArn))
	case aws.ToString(out.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]):
		t.Errorf("CodeSha256 %s", aws.ToString(out.CodeSha256))
	case out.CodeSize != int64(len(echoZip)):
		t.Errorf("CodeSize %d", out.CodeSize)
	case aws.ToInt32(out.Timeout) != 3 || aws.ToInt32(out.MemorySize) != 128:
		t.Errorf("defaults: timeout %d memory %d", aws.ToInt32(out.Timeout), aws.ToInt32(out.MemorySize))
	case out.State != types.StatePending || out.LastUpdateStatus != types.LastUpdateStatusInProgress:
		t.Errorf("state %s / %s", out.State, out.LastUpdateStatus)
	case aws.ToString(out.Version) != "$LATEST" || out.PackageType != types.PackageTypeZip:
		t.Errorf("version %s package %s", aws.ToString(out.Version), out.PackageType)
	case out.RevisionId == nil || out.Environment.Variables["GREETING"] != "hi":
		t.Errorf("revision/environment: %+v", out)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-0700", aws.ToString(out.LastModified)); err != nil {
		t.Errorf("LastModified %q: %v", aws.ToString(out.LastModified), err)
	}
	s.waitActive(t, "echo")

	got, err := s.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Configuration.State != types.StateActive || got.Configuration.LastUpdateStatus != types.LastUpdateStatusSuccessful {
		t.Fatalf("after wait: %s / %s", got.Configuration.State, got.Configuration.LastUpdateStatus)
	}
	// Code.Location serves the package back.
	resp, err := http.Get(aws.ToString(got.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	pkg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(pkg) != len(echoZip) {
		t.Fatalf("code location: %d, %d bytes", resp.StatusCode, len(pkg))
	}

	// Same function by partial and full ARN.
	for _, name := range []string{arn, account + ":function:echo", "echo:$LATEST"} {
		c, err := s.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if aws.ToString(c.FunctionName) != "echo" {
			t.Fatalf("%s: %s", name, aws.ToString(c.FunctionName))
		}
	}

	_, err = s.client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("echo"), Runtime: types.Runtime("provided.al2023"), Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &types.FunctionCode{ZipFile: echoZip},
	})
	apiError(t, err, "ResourceConflictException")

	// Configuration update, then an invocation that sees it.
	up, err := s.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("echo"), Timeout: aws.Int32(10), MemorySize: aws.Int32(256),
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "hello"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.LastUpdateStatus != types.LastUpdateStatusInProgress || aws.ToInt32(up.Timeout) != 10 {
		t.Fatalf("update: %s timeout %d", up.LastUpdateStatus, aws.ToInt32(up.Timeout))
	}
	s.waitUpdated(t, "echo")
	inv, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"env":"GREETING"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if string(inv.Payload) != `"hello"` {
		t.Fatalf("env after update: %s", inv.Payload)
	}

	// A stale RevisionId is refused.
	_, err = s.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("echo"), Description: aws.String("x"), RevisionId: out.RevisionId,
	})
	apiError(t, err, "PreconditionFailedException")

	// Versions.
	v1, err := s.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("echo"), Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.Version) != "1" || aws.ToString(v1.FunctionArn) != arn+":1" || aws.ToString(v1.Description) != "first" {
		t.Fatalf("publish: %s %s %s", aws.ToString(v1.Version), aws.ToString(v1.FunctionArn), aws.ToString(v1.Description))
	}
	again, err := s.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("echo")})
	if err != nil || aws.ToString(again.Version) != "1" {
		t.Fatalf("unchanged publish: %v %v", err, again)
	}
	_, err = s.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("echo"), CodeSha256: aws.String("nope")})
	apiError(t, err, "InvalidParameterValueException")

	code2, err := zipFiles(map[string]zipEntry{"bootstrap": {mustRead(t, echoZip), 0o755}, "extra.txt": {[]byte("x"), 0o644}})
	if err != nil {
		t.Fatal(err)
	}
	uc, err := s.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("echo"), ZipFile: code2, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(uc.Version) != "2" || aws.ToString(uc.CodeSha256) == aws.ToString(v1.CodeSha256) {
		t.Fatalf("update code + publish: version %s sha %s", aws.ToString(uc.Version), aws.ToString(uc.CodeSha256))
	}
	s.waitUpdated(t, "echo")
	v2, err := s.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("echo"), Qualifier: aws.String("2")})
	if err != nil || v2.State != types.StateActive || v2.LastUpdateStatus != types.LastUpdateStatusSuccessful {
		t.Fatalf("version 2: %v %+v", err, v2)
	}

	lv, err := s.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	var vers []string
	for _, v := range lv.Versions {
		vers = append(vers, aws.ToString(v.Version))
	}
	if strings.Join(vers, ",") != "$LATEST,1,2" || aws.ToString(lv.Versions[0].FunctionArn) != arn+":$LATEST" {
		t.Fatalf("versions %v", vers)
	}
	lv, err = s.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("echo"), MaxItems: aws.Int32(2)})
	if err != nil || len(lv.Versions) != 2 || lv.NextMarker == nil {
		t.Fatalf("page 1: %v %+v", err, lv)
	}
	lv, err = s.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("echo"), Marker: lv.NextMarker})
	if err != nil || len(lv.Versions) != 1 || lv.NextMarker != nil {
		t.Fatalf("page 2: %v %+v", err, lv)
	}

	// Aliases.
	al, err := s.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(al.AliasArn) != arn+":live" {
		t.Fatalf("alias arn %s", aws.ToString(al.AliasArn))
	}
	_, err = s.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	apiError(t, err, "ResourceConflictException")
	_, err = s.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("bad"), FunctionVersion: aws.String("9")})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("123"), FunctionVersion: aws.String("1")})
	apiError(t, err, "ValidationException")
	ga, err := s.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live")})
	if err != nil || aws.ToString(ga.FunctionVersion) != "1" {
		t.Fatalf("get alias: %v %+v", err, ga)
	}
	_, err = s.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("echo"), Name: aws.String("nope")})
	apiError(t, err, "ResourceNotFoundException")
	ua, err := s.client.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"), FunctionVersion: aws.String("2"), RevisionId: ga.RevisionId})
	if err != nil || aws.ToString(ua.FunctionVersion) != "2" {
		t.Fatalf("update alias: %v %+v", err, ua)
	}
	_, err = s.client.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"), Description: aws.String("x"), RevisionId: ga.RevisionId})
	apiError(t, err, "PreconditionFailedException")
	if _, err := s.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("old"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	la, err := s.client.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("echo")})
	if err != nil || len(la.Aliases) != 2 {
		t.Fatalf("list aliases: %v %+v", err, la)
	}
	la, err = s.client.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("echo"), FunctionVersion: aws.String("2")})
	if err != nil || len(la.Aliases) != 1 || aws.ToString(la.Aliases[0].Name) != "live" {
		t.Fatalf("list aliases of version 2: %v %+v", err, la)
	}

	// Invoke through the alias runs version 2.
	inv, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo:live"), Payload: []byte(`{"a":1}`)})
	if err != nil || aws.ToString(inv.ExecutedVersion) != "2" || string(inv.Payload) != `{"a":1}` {
		t.Fatalf("invoke alias: %v %+v", err, inv)
	}

	// A version an alias points to cannot be deleted.
	_, err = s.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("1")})
	apiError(t, err, "ResourceConflictException")
	_, err = s.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("$LATEST")})
	apiError(t, err, "InvalidParameterValueException")
	if _, err := s.client.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("echo"), Name: aws.String("old")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo"), Qualifier: aws.String("1")})
	apiError(t, err, "ResourceNotFoundException")
	// Version numbers are never reused.
	if _, err := s.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"), Description: aws.String("v3")}); err != nil {
		t.Fatal(err)
	}
	s.waitUpdated(t, "echo")
	v3, err := s.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("echo")})
	if err != nil || aws.ToString(v3.Version) != "3" {
		t.Fatalf("publish after delete: %v %+v", err, v3)
	}

	if _, err := s.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	ae := apiError(t, err, "ResourceNotFoundException")
	if ae.ErrorMessage() != "Function not found: "+arn {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
	_, err = s.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live")})
	apiError(t, err, "ResourceNotFoundException")
}

// mustRead returns the bootstrap inside a package.
func mustRead(t *testing.T, zipData []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "p.zip")
	if err := os.WriteFile(p, zipData, 0o644); err != nil {
		t.Fatal(err)
	}
	zr, err := zipOpen(p)
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func TestCreateErrors(t *testing.T) {
	s := startStack(t)
	role := aws.String("arn:aws:iam::" + account + ":role/test")
	base := func() *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Runtime: types.Runtime("provided.al2023"),
			Handler: aws.String("bootstrap"), Role: role, Code: &types.FunctionCode{ZipFile: echoZip}}
	}
	cases := []struct {
		name string
		mod  func(in *lambda.CreateFunctionInput)
		code string
	}{
		{"memory too small", func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(64) }, "ValidationException"},
		{"timeout zero", func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(0) }, "ValidationException"},
		{"timeout too long", func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(901) }, "InvalidParameterValueException"},
		{"bad role", func(in *lambda.CreateFunctionInput) { in.Role = aws.String("nope") }, "ValidationException"},
		{"bad name", func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("a b") }, "ValidationException"},
		{"qualified name", func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("f:1") }, "InvalidParameterValueException"},
		{"unsupported runtime", func(in *lambda.CreateFunctionInput) { in.Runtime = types.RuntimePython312 }, "InvalidParameterValueException"},
		{"no runtime", func(in *lambda.CreateFunctionInput) { in.Runtime = "" }, "InvalidParameterValueException"},
		{"not a zip", func(in *lambda.CreateFunctionInput) { in.Code.ZipFile = []byte("hello") }, "InvalidParameterValueException"},
		{"wasm zip without module", func(in *lambda.CreateFunctionInput) { in.Runtime = "wasm" }, "InvalidParameterValueException"},
		{"reserved env", func(in *lambda.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"AWS_REGION": "x"}}
		}, "InvalidParameterValueException"},
		{"env too large", func(in *lambda.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 5000)}}
		}, "InvalidParameterValueException"},
		{"two architectures", func(in *lambda.CreateFunctionInput) {
			in.Architectures = []types.Architecture{"x86_64", "arm64"}
		}, "ValidationException"},
		{"image", func(in *lambda.CreateFunctionInput) { in.PackageType = types.PackageTypeImage }, "InvalidParameterValueException"},
		{"other region", func(in *lambda.CreateFunctionInput) {
			in.FunctionName = aws.String("arn:aws:lambda:eu-west-1:" + account + ":function:f")
		}, "ResourceNotFoundException"},
	}
	for _, c := range cases {
		in := base()
		c.mod(in)
		_, err := s.client.CreateFunction(ctx, in)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		apiError(t, err, c.code)
	}

	// Not found everywhere.
	name := aws.String("missing")
	_, err := s.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: name, ZipFile: echoZip})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: name, Timeout: aws.Int32(5)})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: name, Name: aws.String("a"), FunctionVersion: aws.String("$LATEST")})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: name, ReservedConcurrentExecutions: aws.Int32(1)})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: name})
	apiError(t, err, "ResourceNotFoundException")

	// Code and qualifier problems on an existing function.
	s.createEcho(t, "f", nil)
	_, err = s.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("f"), ZipFile: []byte("not a zip")})
	apiError(t, err, "InvalidParameterValueException")
	_, err = s.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f:1"), Qualifier: aws.String("2")})
	apiError(t, err, "InvalidParameterValueException")
	_, err = s.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f"), Qualifier: aws.String("7")})
	apiError(t, err, "ResourceNotFoundException")
	_, err = s.client.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(0)})
	apiError(t, err, "ValidationException")
}

func TestListFunctions(t *testing.T) {
	s := startStack(t)
	for i := range 3 {
		s.createEcho(t, fmt.Sprintf("fn-%d", i), func(in *lambda.CreateFunctionInput) { in.Publish = i == 0 })
	}
	var names []string
	var marker *string
	for {
		out, err := s.client.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Functions {
			names = append(names, aws.ToString(f.FunctionName)+":"+aws.ToString(f.Version))
		}
		if marker = out.NextMarker; marker == nil {
			break
		}
	}
	if got := strings.Join(names, ","); got != "fn-0:$LATEST,fn-1:$LATEST,fn-2:$LATEST" {
		t.Fatalf("list: %s", got)
	}
	all, err := s.client.ListFunctions(ctx, &lambda.ListFunctionsInput{FunctionVersion: types.FunctionVersionAll})
	if err != nil || len(all.Functions) != 4 {
		t.Fatalf("list ALL: %v %d", err, len(all.Functions))
	}
}

func TestInvoke(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "echo", func(in *lambda.CreateFunctionInput) { in.Publish = true })

	out, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"x":"y"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || string(out.Payload) != `{"x":"y"}` || aws.ToString(out.ExecutedVersion) != "$LATEST" || out.FunctionError != nil {
		t.Fatalf("invoke: %d %s %s", out.StatusCode, out.Payload, aws.ToString(out.ExecutedVersion))
	}
	out, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("1"), Payload: []byte(`{}`)})
	if err != nil || aws.ToString(out.ExecutedVersion) != "1" {
		t.Fatalf("invoke version 1: %v %+v", err, out)
	}

	// A function error is a 200 with X-Amz-Function-Error.
	out, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"error":"boom"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var fe struct{ ErrorMessage, ErrorType string }
	json.Unmarshal(out.Payload, &fe)
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || fe.ErrorMessage != "boom" {
		t.Fatalf("function error: %d %q %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}

	// Tail logs.
	out, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), LogType: types.LogTypeTail, Payload: []byte(`{"log":"hello from echo"}`)})
	if err != nil {
		t.Fatal(err)
	}
	logs, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil || !strings.Contains(string(logs), "hello from echo") {
		t.Fatalf("log tail %q: %v", logs, err)
	}
	out, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), LogType: types.LogTypeTail,
		Payload: []byte(fmt.Sprintf(`{"log":%q}`, strings.Repeat("z", 10000)))})
	if err != nil {
		t.Fatal(err)
	}
	if logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult)); len(logs) != 4096 {
		t.Fatalf("log tail is %d bytes, want the last 4096", len(logs))
	}

	// DryRun checks access only.
	out, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Fatalf("dry run: %v %+v", err, out)
	}

	// Event runs in the background.
	marker := filepath.Join(t.TempDir(), "touched")
	out, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent,
		Payload: []byte(fmt.Sprintf(`{"touch":%q}`, marker))})
	if err != nil || out.StatusCode != 202 {
		t.Fatalf("event: %v %+v", err, out)
	}
	checkFor(t, 20*time.Second, func() error {
		_, err := os.Stat(marker)
		return err
	})

	// Payload limits and bad payloads.
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`"` + strings.Repeat("a", 6<<20) + `"`)})
	apiError(t, err, "RequestTooLargeException")
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent,
		Payload: []byte(`"` + strings.Repeat("a", 1<<20) + `"`)})
	apiError(t, err, "RequestTooLargeException")
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{not json`)})
	apiError(t, err, "InvalidRequestContentException")
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("nope")})
	apiError(t, err, "ResourceNotFoundException")

	// Resolve gives the triggers the same function.
	fn, eng, err := s.svc.Resolve("arn:aws:lambda:us-east-1:"+account+":function:echo", "1")
	if err != nil || eng == nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(fn.CodeDir, "bootstrap"))
	if err != nil || st.Mode()&0o111 == 0 || fn.Version != "1" || fn.Timeout != 3*time.Second {
		t.Fatalf("resolved %+v: %v %v", fn, st, err)
	}
	if _, _, err := s.svc.Resolve("nope", ""); err == nil {
		t.Fatal("resolve of a missing function succeeded")
	}
}

func TestConcurrency(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "slow", nil)
	name := aws.String("slow")

	gc, err := s.client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: name})
	if err != nil || gc.ReservedConcurrentExecutions != nil {
		t.Fatalf("initial: %v %+v", err, gc)
	}
	pc, err := s.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: name, ReservedConcurrentExecutions: aws.Int32(0)})
	if err != nil || aws.ToInt32(pc.ReservedConcurrentExecutions) != 0 {
		t.Fatalf("put 0: %v %+v", err, pc)
	}
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: name})
	var tm *types.TooManyRequestsException
	ae := apiError(t, err, "TooManyRequestsException")
	if !asType(ae, &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Fatalf("throttle reason: %+v", ae)
	}
	_, err = s.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: name, ReservedConcurrentExecutions: aws.Int32(950)})
	apiError(t, err, "InvalidParameterValueException")

	if _, err := s.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: name, ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	gf, err := s.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: name})
	if err != nil || gf.Concurrency == nil || aws.ToInt32(gf.Concurrency.ReservedConcurrentExecutions) != 1 {
		t.Fatalf("GetFunction concurrency: %v %+v", err, gf.Concurrency)
	}
	// One slow invocation holds the only slot; a second is throttled.
	var wg sync.WaitGroup
	wg.Add(1)
	var slowErr error
	go func() {
		defer wg.Done()
		_, slowErr = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: name, Payload: []byte(`{"sleepMs":1500}`)})
	}()
	checkFor(t, 10*time.Second, func() error {
		if functions.InFlight(s.svc, "slow") != 1 {
			return fmt.Errorf("slow invocation not running")
		}
		return nil
	})
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: name, Payload: []byte(`{}`)})
	apiError(t, err, "TooManyRequestsException")
	wg.Wait()
	if slowErr != nil {
		t.Fatal(slowErr)
	}
	if _, err := s.client.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: name}); err != nil {
		t.Fatal(err)
	}
	gc, err = s.client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: name})
	if err != nil || gc.ReservedConcurrentExecutions != nil {
		t.Fatalf("after delete: %v %+v", err, gc)
	}
	if _, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: name}); err != nil {
		t.Fatal(err)
	}
}

func TestFailedState(t *testing.T) {
	s := startStack(t)
	// A valid WebAssembly header without the ABI's exports: the wasm
	// engine rejects it in the background.
	_, err := s.client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("broken"), Runtime: types.Runtime("wasm"), Handler: aws.String("handle"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &types.FunctionCode{ZipFile: []byte("\x00asm\x01\x00\x00\x00")},
	})
	if err != nil {
		t.Fatal(err)
	}
	var cfg *lambda.GetFunctionConfigurationOutput
	checkFor(t, 30*time.Second, func() error {
		cfg, err = s.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("broken")})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.State == types.StatePending {
			return fmt.Errorf("still pending")
		}
		return nil
	})
	if cfg.State != types.StateFailed || aws.ToString(cfg.StateReason) == "" || cfg.LastUpdateStatus != types.LastUpdateStatusFailed {
		t.Fatalf("state %s (%s) / %s", cfg.State, aws.ToString(cfg.StateReason), cfg.LastUpdateStatus)
	}
	_, err = s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("broken")})
	apiError(t, err, "ResourceConflictException")

	w := lambda.NewFunctionActiveV2Waiter(s.client, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("broken")}, 10*time.Second); err == nil {
		t.Fatal("function-active-v2 succeeded on a Failed function")
	}
}

// Invoke, the call other services make (Kinesis Analytics), answers the
// function's response, takes a concurrency slot (throttled at reserved 0)
// and fails for a missing function.
func TestServiceInvoke(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "echo", nil)
	resp, fnErr, err := s.svc.Invoke(ctx, "echo", "", []byte(`{"hello":"world"}`))
	if err != nil || fnErr != "" || !bytes.Contains(resp, []byte("world")) {
		t.Fatalf("Invoke: %q %q %v", resp, fnErr, err)
	}
	if _, _, err := s.svc.Invoke(ctx, "nope", "", []byte(`{}`)); err == nil {
		t.Fatal("Invoke of a missing function succeeded")
	}
	if _, err := s.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("echo"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.Invoke(ctx, "echo", "", []byte(`{}`)); !errors.Is(err, engine.ErrNoCapacity) {
		t.Fatalf("Invoke at reserved concurrency 0: %v", err)
	}
}

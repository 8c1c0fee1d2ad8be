package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/pipeline"
)

func newFunctionsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "functions",
		Aliases: []string{"fn"},
		Short:   "Deploy, invoke and manage functions (the Lambda API)",
		Long: `Functions are WebAssembly modules (runtime "wasm") or Lambda bootstrap
executables (runtime provided.al2023 and friends) that kinesin runs. These
commands use the Lambda API any AWS SDK uses, at --endpoint.`,
		Example: `  kinesin functions deploy upper ./examples/functions/go-transform
  kinesin functions deploy echo ./bootstrap --runtime provided.al2023
  kinesin functions invoke upper --payload '{"hello":"world"}'
  kinesin functions logs upper --follow
  kinesin functions ls
  kinesin functions rm upper`,
	}
	cmd.AddCommand(newFunctionsDeployCmd(a), newFunctionsInvokeCmd(a), newFunctionsLogsCmd(a), newFunctionsLsCmd(a), newFunctionsRmCmd(a))
	return cmd
}

type deployOpts struct {
	runtime string
	handler string
	timeout int32
	memory  int32
	env     []string
	wait    time.Duration
}

func newFunctionsDeployCmd(a *app) *cobra.Command {
	var o deployOpts
	cmd := &cobra.Command{
		Use:   "deploy NAME PATH",
		Short: "Create a function, or update its code",
		Long: `Deploy creates the function NAME from PATH, or updates its code when it
exists, and waits until it is Active.

PATH may be:
  - a directory holding a Go main package: it is built for you, to
    WebAssembly (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared) for runtime
    wasm, or to a Linux bootstrap (-tags lambda.norpc) for Lambda runtimes;
  - a .wasm file (runtime wasm);
  - a .zip deployment package, as for AWS Lambda;
  - an executable (zipped as bootstrap).`,
		Example: `  kinesin functions deploy upper ./examples/functions/go-transform
  kinesin functions deploy enrich ./enrich.wasm --timeout 10 --memory 256
  kinesin functions deploy handler ./examples/functions/go-handler --runtime provided.al2023
  kinesin functions deploy legacy ./function.zip --runtime provided.al2 --env STAGE=dev`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			return deployFunction(cmd.Context(), lc, args[0], args[1], o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.runtime, "runtime", "", `runtime: "wasm", or a Lambda runtime such as provided.al2023 (default: wasm, or provided.al2023 for a .zip or an executable)`)
	f.StringVar(&o.handler, "handler", "bootstrap", "handler name passed to the function (_HANDLER)")
	f.Int32Var(&o.timeout, "timeout", 3, "timeout of one invocation, in seconds")
	f.Int32Var(&o.memory, "memory", 128, "memory size in MB (caps a WebAssembly instance's memory)")
	f.StringArrayVar(&o.env, "env", nil, "environment variable KEY=VALUE (repeatable)")
	f.DurationVar(&o.wait, "wait", time.Minute, "how long to wait for the function to become Active")
	return cmd
}

// deployFunction builds or reads the package and creates or updates the
// function.
func deployFunction(ctx context.Context, lc *lambda.Client, name, path string, o deployOpts, stdout, stderr io.Writer) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	runtime := o.runtime
	if runtime == "" {
		runtime = "wasm"
		if !info.IsDir() && (strings.HasSuffix(path, ".zip") || (!strings.HasSuffix(path, ".wasm") && info.Mode()&0o111 != 0)) {
			runtime = "provided.al2023"
		}
	}
	code, err := pipeline.Package(ctx, path, runtime, stderr)
	if err != nil {
		return err
	}
	env := map[string]string{}
	for _, kv := range o.env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		env[k] = v
	}
	_, err = lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		_, err = lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: types.Runtime(runtime), Handler: aws.String(o.handler),
			Role:    aws.String("arn:aws:iam::000000000000:role/kinesin"),
			Code:    &types.FunctionCode{ZipFile: code},
			Timeout: aws.Int32(o.timeout), MemorySize: aws.Int32(o.memory),
			Environment: &types.Environment{Variables: env},
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "created function %s (%s, %d bytes)\n", name, runtime, len(code))
	case err != nil:
		return err
	default:
		if _, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: code}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "updated the code of %s (%d bytes)\n", name, len(code))
	}
	return waitFunctionReady(ctx, lc, name, o.wait, stdout)
}

// waitFunctionReady polls until the function is Active and its last update
// finished, as `aws lambda wait function-active-v2` does.
func waitFunctionReady(ctx context.Context, lc *lambda.Client, name string, limit time.Duration, stdout io.Writer) error {
	deadline := time.Now().Add(limit)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		out, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			return err
		}
		switch {
		case out.State == types.StateFailed || out.LastUpdateStatus == types.LastUpdateStatusFailed:
			return fmt.Errorf("function %s failed: %s%s", name, aws.ToString(out.StateReason), aws.ToString(out.LastUpdateStatusReason))
		case out.State == types.StateActive && out.LastUpdateStatus != types.LastUpdateStatusInProgress:
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", aws.ToString(out.FunctionArn), out.Runtime, aws.ToString(out.CodeSha256))
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("function %s not Active after %v (state %s)", name, limit, out.State)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func newFunctionsInvokeCmd(a *app) *cobra.Command {
	var payload, qualifier string
	var logs, async bool
	cmd := &cobra.Command{
		Use:   "invoke NAME",
		Short: "Invoke a function and print its response",
		Long: `Invoke calls the function with a JSON payload (default {}) and prints the
response. A function error prints the error body and exits non-zero; --log
prints the invocation's log lines to stderr.`,
		Example: `  kinesin functions invoke upper --payload '{"hello":"world"}'
  kinesin functions invoke upper --qualifier 2 --log
  echo '{"a":1}' | kinesin functions invoke upper --payload -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			body := []byte(payload)
			if payload == "-" {
				if body, err = io.ReadAll(cmd.InOrStdin()); err != nil {
					return err
				}
			}
			in := &lambda.InvokeInput{FunctionName: aws.String(args[0]), Payload: body}
			if qualifier != "" {
				in.Qualifier = aws.String(qualifier)
			}
			if logs {
				in.LogType = types.LogTypeTail
			}
			if async {
				in.InvocationType = types.InvocationTypeEvent
			}
			out, err := lc.Invoke(cmd.Context(), in)
			if err != nil {
				return err
			}
			if logs && out.LogResult != nil {
				if l, err := base64.StdEncoding.DecodeString(*out.LogResult); err == nil {
					cmd.ErrOrStderr().Write(l)
				}
			}
			if async {
				fmt.Fprintf(cmd.ErrOrStderr(), "queued (status %d)\n", out.StatusCode)
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(out.Payload))
			if out.FunctionError != nil {
				return fmt.Errorf("function error: %s", *out.FunctionError)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&payload, "payload", "{}", `JSON event to send ("-" reads stdin)`)
	f.StringVar(&qualifier, "qualifier", "", "version or alias to invoke")
	f.BoolVar(&logs, "log", false, "print the invocation's logs to stderr")
	f.BoolVar(&async, "async", false, "invoke asynchronously (InvocationType Event)")
	return cmd
}

func newFunctionsLsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "ls",
		Short: "List functions",
		Long: `List every function ($LATEST) with its runtime, state, memory size,
timeout and last modification time.`,
		Example: `  kinesin functions ls`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tRUNTIME\tSTATE\tMEMORY\tTIMEOUT\tLAST MODIFIED")
			p := lambda.NewListFunctionsPaginator(lc, &lambda.ListFunctionsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(cmd.Context())
				if err != nil {
					return err
				}
				for _, f := range page.Functions {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", aws.ToString(f.FunctionName), f.Runtime, f.State,
						aws.ToInt32(f.MemorySize), aws.ToInt32(f.Timeout), aws.ToString(f.LastModified))
				}
			}
			return tw.Flush()
		},
	}
}

func newFunctionsRmCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Delete a function and all its versions",
		Long: `Delete the function NAME with all its versions and aliases; its warm
instances and processes are stopped.`,
		Example: `  kinesin functions rm upper`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			if _, err := lc.DeleteFunction(cmd.Context(), &lambda.DeleteFunctionInput{FunctionName: aws.String(args[0])}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "deleted function %s\n", args[0])
			return nil
		},
	}
}

func newFunctionsLogsCmd(a *app) *cobra.Command {
	var follow bool
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "logs NAME",
		Short: "Print a function's log lines",
		Long: `Logs prints what the function NAME wrote to stdout and stderr, from every
kinesin process sharing the NATS cluster, one line each as

  TIMESTAMP REQUEST-ID LINE

(TIMESTAMP is when the invocation started, RFC 3339 in UTC with
milliseconds). kinesin keeps a function's logs for 24 hours, as a bounded
JetStream stream in place of CloudWatch Logs. --since limits the output to
recent invocations; --follow keeps printing lines of new invocations as
they come until interrupted (Ctrl-C).

The logs come from kinesin's HTTP extension beside the Lambda API:
GET /kinesin/v1/functions/NAME/logs?since=UNIX-MS&follow=true.`,
		Example: `  kinesin functions logs upper
  kinesin functions logs upper --since 10m
  kinesin functions logs upper --follow`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var start time.Time
			if since < 0 {
				return fmt.Errorf("--since %v: want a positive duration such as 10m", since)
			}
			if since > 0 {
				start = time.Now().Add(-since)
			}
			return functionLogs(cmd.Context(), a, args[0], start, follow, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&follow, "follow", "f", false, "keep printing new log lines until interrupted")
	f.DurationVar(&since, "since", 0, "print only logs of invocations started this long ago or later, such as 10m or 2h (default: all that are kept)")
	return cmd
}

// functionLogs copies the function's logs from the server to out as they
// arrive; with follow it returns when ctx ends.
func functionLogs(ctx context.Context, a *app, name string, since time.Time, follow bool, out io.Writer) error {
	_, endpoint, err := awsConfig(a.clientConfig())
	if err != nil {
		return err
	}
	q := url.Values{}
	if !since.IsZero() {
		q.Set("since", strconv.FormatInt(since.UnixMilli(), 10))
	}
	if follow {
		q.Set("follow", "true")
	}
	u := strings.TrimSuffix(endpoint, "/") + "/kinesin/v1/functions/" + url.PathEscape(name) + "/logs"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if a.insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by --insecure
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("functions logs: cannot reach the server (%v); is `kinesin serve` running? Set --endpoint or KINESIN_ENDPOINT", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		// Lambda's error shape: {"Type":…,"Message"|"message":…}.
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		upper, _ := body["Message"].(string)
		lower, _ := body["message"].(string)
		msg := cmp.Or(upper, lower, strings.TrimSpace(string(b)), resp.Status)
		if code := resp.Header.Get("X-Amzn-ErrorType"); code != "" {
			return fmt.Errorf("%s: %s", code, msg)
		}
		return fmt.Errorf("functions logs: %s: %s", resp.Status, msg)
	}
	// Copy what arrives at once, so --follow prints lines as they come.
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil && ctx.Err() != nil:
			return nil // interrupted
		case err != nil:
			return fmt.Errorf("functions logs: %w", err)
		}
	}
}

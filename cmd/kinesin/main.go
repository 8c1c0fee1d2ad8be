package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/pipeline"
)

const defaultEndpoint = "http://127.0.0.1:4567"

// run is the whole CLI: it parses args, runs the command until it ends or
// SIGINT/SIGTERM arrives, prints an error if there is one and returns the
// exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, let a second one kill the process the
		// usual way in case a clean shutdown hangs.
		<-ctx.Done()
		stop()
	}()
	return execute(ctx, newRootCmd(os.Getenv), args, stdin, stdout, stderr)
}

func execute(ctx context.Context, root *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var perrs pipeline.Errors
	switch {
	case errors.As(err, &perrs):
		// Already FILE:LINE: formatted, one problem per line.
		fmt.Fprintln(stderr, perrs.Error())
	case !started(root):
		fmt.Fprintf(stderr, "kinesin: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
	default:
		fmt.Fprintln(stderr, "kinesin:", describeErr(err))
	}
	return 1
}

// startedKey marks, in the root command's annotations, that the command
// got past cobra's argument and flag checks.
const startedKey = "kinesin/started"

func started(root *cobra.Command) bool { return root.Annotations[startedKey] == "true" }

// app holds what the commands share: the global flags and the Kinesis
// client built from them on first use.
type app struct {
	getenv   func(string) string
	endpoint string
	region   string
	insecure bool

	kc *kinesis.Client
	lc *lambda.Client
	fc *firehose.Client
	ac *kinesisanalytics.Client
	vc *kinesisvideo.Client
}

func (a *app) clientConfig() clientConfig {
	return clientConfig{Endpoint: a.endpoint, Region: a.region, Insecure: a.insecure, Getenv: a.getenv}
}

// lambdaClient returns the Lambda client for the global flags, building it
// once.
func (a *app) lambdaClient() (*lambda.Client, error) {
	return lazyClient(a, &a.lc, lambda.NewFromConfig)
}

// client returns the Kinesis client for the global flags, building it once.
func (a *app) client() (*kinesis.Client, error) { return lazyClient(a, &a.kc, kinesis.NewFromConfig) }

// newRootCmd builds the command tree. getenv supplies the environment
// (os.Getenv in the binary, a map in tests).
func newRootCmd(getenv func(string) string) *cobra.Command {
	a := &app{getenv: getenv}
	endpoint := getenv("KINESIN_ENDPOINT")
	if endpoint == "" {
		endpoint = defaultEndpoint
	}
	root := &cobra.Command{
		Use:   "kinesin",
		Short: "Self-hosted AWS Kinesis-compatible streaming",
		Long: `kinesin is a self-hosted streaming platform that speaks the AWS Kinesis
Data Streams API, so AWS SDKs, the AWS CLI and the KCL work against it.

This one binary runs the server (kinesin serve) and is a client for it:
every client command talks to the server through the same Kinesis API any
AWS SDK uses, at --endpoint (default $KINESIN_ENDPOINT or ` + defaultEndpoint + `).
Credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN
when set; otherwise the client signs with the dummy pair kinesin/kinesin.`,
		Example: `  kinesin serve &
  kinesin streams create orders --shards 2 --wait
  echo '{"id":1}' | kinesin put orders
  kinesin tail orders --from trim-horizon`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runs once cobra accepted the arguments. Flag checks that cobra
		// would make after it are made here, so that every error after
		// this point is about the work, not the command line.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return err
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return err
			}
			cmd.Root().Annotations = map[string]string{startedKey: "true"}
			return nil
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&a.endpoint, "endpoint", endpoint, "URL of the kinesin server (env KINESIN_ENDPOINT)")
	pf.StringVar(&a.region, "region", "us-east-1", "AWS region to sign requests for")
	pf.BoolVar(&a.insecure, "insecure", false, "skip TLS certificate verification (for --tls-self-signed servers)")

	root.AddCommand(
		newServeCmd(),
		newStreamsCmd(a),
		newPutCmd(a),
		newTailCmd(a),
		newApplyCmd(a),
		newFunctionsCmd(a),
		newMappingsCmd(a),
		newFirehoseCmd(a),
		newAppsCmd(a),
		newSQLCmd(a),
		newVideoCmd(a),
	)
	return root
}

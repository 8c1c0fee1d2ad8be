package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/pipeline"
)

func newApplyCmd(a *app) *cobra.Command {
	var (
		file    string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the server match a pipeline file",
		Long: `Validate a pipeline file and make the server match it: create the streams,
functions, event source mappings, Firehose delivery streams and SQL
applications it declares that are missing and change those that differ
(streams: mode, shard count, retention, tags; functions: code, runtime,
handler, timeout, memory, environment, reserved concurrency; mappings:
batching, retries, windows, filters, destination, enabled; delivery
streams: destination members, tags; applications: code, input, outputs,
reference data, tags, running or not), waiting for each to be ready
between steps. Function paths that are Go packages are built for you.
Prints one line per change; applying the same file again changes nothing
and says "no changes". Resources the file does not mention are left alone.

All problems in the file are reported at once as FILE:LINE: PATH: MESSAGE,
and nothing is applied then. -f - reads the file from standard input. The
file format is described in docs/pipeline.md.`,
		Example: `  kinesin apply -f pipeline.yaml
  kinesin apply -f - <<'EOF'
  streams:
    - name: orders
      shards: 2
  EOF`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var (
				f   *pipeline.File
				err error
			)
			if file == "-" {
				data, rerr := io.ReadAll(cmd.InOrStdin())
				if rerr != nil {
					return rerr
				}
				f, err = pipeline.Parse("<stdin>", data)
			} else {
				f, err = pipeline.Load(file)
			}
			if err != nil {
				return err
			}
			kc, err := a.client()
			if err != nil {
				return err
			}
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			fc, err := a.firehoseClient()
			if err != nil {
				return err
			}
			ac, err := a.analyticsClient()
			if err != nil {
				return err
			}
			vc, err := a.videoClient()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			out := cmd.OutOrStdout()
			return f.Apply(ctx, pipeline.Clients{Kinesis: kc, Lambda: lc, Firehose: fc, Analytics: ac, Video: vc}, func(line string) { fmt.Fprintln(out, line) })
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "pipeline file to apply (- for standard input)")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "give up when applying takes longer")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

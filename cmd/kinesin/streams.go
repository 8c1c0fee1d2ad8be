package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/spf13/cobra"
)

func newStreamsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "streams",
		Aliases: []string{"stream"},
		Short:   "List, create, describe and delete data streams",
		Long: `Manage Kinesis data streams on a kinesin server through the Kinesis API.

To keep streams declared in a file instead, see kinesin apply.`,
		Example: `  kinesin streams create orders --shards 2 --wait
  kinesin streams ls
  kinesin streams describe orders
  kinesin streams delete orders`,
	}
	cmd.AddCommand(newStreamsLsCmd(a), newStreamsCreateCmd(a), newStreamsDescribeCmd(a), newStreamsDeleteCmd(a))
	return cmd
}

func newStreamsLsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List streams with their status, mode, open shards and retention",
		Long: `List every stream (ListStreams, then DescribeStreamSummary for each) as a
table: name, status, capacity mode, open shard count and retention.`,
		Example: `  kinesin streams ls
  kinesin streams ls --endpoint http://kinesin.internal:4567`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			names, err := listStreamNames(ctx, c)
			if err != nil {
				return err
			}
			if len(names) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no streams")
				return nil
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "NAME\tSTATUS\tMODE\tOPEN SHARDS\tRETENTION")
			for _, name := range names {
				out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
				if isNotFound(err) {
					continue // deleted since it was listed
				}
				if err != nil {
					return err
				}
				s := out.StreamDescriptionSummary
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", name, s.StreamStatus, modeOf(s.StreamModeDetails),
					aws.ToInt32(s.OpenShardCount), hours(aws.ToInt32(s.RetentionPeriodHours)))
			}
			return tw.Flush()
		},
	}
}

// listStreamNames pages through ListStreams by NextToken, or by the last
// name for servers that only answer HasMoreStreams.
func listStreamNames(ctx context.Context, c *kinesis.Client) ([]string, error) {
	var names []string
	in := &kinesis.ListStreamsInput{}
	for {
		out, err := c.ListStreams(ctx, in)
		if err != nil {
			return nil, err
		}
		names = append(names, out.StreamNames...)
		switch {
		case out.NextToken != nil && *out.NextToken != "":
			in = &kinesis.ListStreamsInput{NextToken: out.NextToken}
		case aws.ToBool(out.HasMoreStreams) && len(out.StreamNames) > 0:
			in = &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String(names[len(names)-1])}
		default:
			return names, nil
		}
	}
}

func newStreamsCreateCmd(a *app) *cobra.Command {
	var (
		shards    int32
		onDemand  bool
		retention int32
		wait      bool
	)
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a stream",
		Long: `Create a data stream (CreateStream): provisioned with --shards N (default 1)
or on-demand with --on-demand. --retention-hours other than 24 is set with
IncreaseStreamRetentionPeriod once the stream is ACTIVE, so it implies
--wait. With --wait the command returns when the stream is ACTIVE.`,
		Example: `  kinesin streams create orders --shards 4 --wait
  kinesin streams create clicks --on-demand --retention-hours 168`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			in := &kinesis.CreateStreamInput{StreamName: aws.String(name)}
			what := "on-demand"
			if onDemand {
				in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}
			} else {
				in.ShardCount = aws.Int32(shards)
				in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}
				what = fmt.Sprintf("%d shard%s", shards, plural(int(shards)))
			}
			if _, err := c.CreateStream(ctx, in); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created stream %s (%s)\n", name, what)
			if retention != 24 {
				if _, err := waitStreamActive(ctx, c, name); err != nil {
					return err
				}
				if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
					StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(retention),
				}); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "retention of %s set to %s\n", name, hours(retention))
			}
			if wait || retention != 24 {
				if _, err := waitStreamActive(ctx, c, name); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "stream %s is ACTIVE\n", name)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.Int32Var(&shards, "shards", 1, "number of shards of a provisioned stream")
	f.BoolVar(&onDemand, "on-demand", false, "create an on-demand stream (kinesin manages its shards)")
	f.Int32Var(&retention, "retention-hours", 24, "how long records stay readable, 24 to 8760 hours")
	f.BoolVar(&wait, "wait", false, "return only once the stream is ACTIVE")
	cmd.MarkFlagsMutuallyExclusive("shards", "on-demand")
	return cmd
}

func newStreamsDescribeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a stream and its shards",
		Long: `Show a stream's summary (DescribeStreamSummary) and every shard it has,
open or closed (ListShards): id, parent shard(s), hash key range, sequence
number range and whether it is still open. Closed shards are the parents
left behind by splits and merges; they stay readable until retention ends.`,
		Example: `  kinesin streams describe orders`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
			if err != nil {
				return err
			}
			shards, err := listShards(ctx, c, name)
			if err != nil {
				return err
			}
			s := out.StreamDescriptionSummary
			w := cmd.OutOrStdout()
			tw := newTable(w)
			fmt.Fprintf(tw, "Name:\t%s\n", aws.ToString(s.StreamName))
			fmt.Fprintf(tw, "ARN:\t%s\n", aws.ToString(s.StreamARN))
			fmt.Fprintf(tw, "Status:\t%s\n", s.StreamStatus)
			fmt.Fprintf(tw, "Mode:\t%s\n", modeOf(s.StreamModeDetails))
			fmt.Fprintf(tw, "Open shards:\t%d\n", aws.ToInt32(s.OpenShardCount))
			fmt.Fprintf(tw, "Retention:\t%s\n", hours(aws.ToInt32(s.RetentionPeriodHours)))
			if t := s.StreamCreationTimestamp; t != nil {
				fmt.Fprintf(tw, "Created:\t%s\n", t.UTC().Format(time.RFC3339))
			}
			if s.EncryptionType != "" {
				fmt.Fprintf(tw, "Encryption:\t%s\n", s.EncryptionType)
			}
			if s.ConsumerCount != nil {
				fmt.Fprintf(tw, "Consumers:\t%d\n", *s.ConsumerCount)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(w)
			tw = newTable(w)
			fmt.Fprintln(tw, "SHARD\tPARENT\tHASH RANGE\tSEQUENCE RANGE\tSTATE")
			for _, sh := range shards {
				parents := "-"
				if p := aws.ToString(sh.ParentShardId); p != "" {
					parents = p
					if adj := aws.ToString(sh.AdjacentParentShardId); adj != "" {
						parents += "+" + adj
					}
				}
				hashRange := "-"
				if h := sh.HashKeyRange; h != nil {
					hashRange = aws.ToString(h.StartingHashKey) + "-" + aws.ToString(h.EndingHashKey)
				}
				seqRange, state := "-", "open"
				if r := sh.SequenceNumberRange; r != nil {
					seqRange = aws.ToString(r.StartingSequenceNumber) + "-" + aws.ToString(r.EndingSequenceNumber)
					if r.EndingSequenceNumber != nil {
						state = "closed"
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(sh.ShardId), parents, hashRange, seqRange, state)
			}
			return tw.Flush()
		},
	}
}

func newStreamsDeleteCmd(a *app) *cobra.Command {
	var force, wait bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a stream and all its records",
		Long: `Delete a stream (DeleteStream). Its records are gone for good. A stream
with registered enhanced fan-out consumers is only deleted with --force,
which deregisters them too (EnforceConsumerDeletion). With --wait the
command returns once the stream no longer exists.`,
		Example: `  kinesin streams delete orders
  kinesin streams delete orders --force --wait`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{
				StreamName:              aws.String(name),
				EnforceConsumerDeletion: aws.Bool(force),
			}); err != nil {
				return err
			}
			return deleting(ctx, cmd.OutOrStdout(), "stream "+name, wait, isNotFound, func() error {
				_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "also deregister the stream's consumers (EnforceConsumerDeletion)")
	cmd.Flags().BoolVar(&wait, "wait", false, "return only once the stream is gone")
	return cmd
}

// listShards returns every shard of the stream, open and closed, paging
// with NextToken.
func listShards(ctx context.Context, c *kinesis.Client, stream string) ([]types.Shard, error) {
	var shards []types.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for {
		out, err := c.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil || *out.NextToken == "" {
			return shards, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// waitStreamActive polls DescribeStreamSummary until the stream is ACTIVE.
func waitStreamActive(ctx context.Context, c *kinesis.Client, name string) (*types.StreamDescriptionSummary, error) {
	var sum *types.StreamDescriptionSummary
	err := pollUntil(ctx, func() (bool, error) {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if isNotFound(err) {
			return false, nil // not visible yet
		}
		if err != nil {
			return false, err
		}
		sum = out.StreamDescriptionSummary
		if sum.StreamStatus == types.StreamStatusDeleting {
			return false, fmt.Errorf("stream %s is being deleted", name)
		}
		return sum.StreamStatus == types.StreamStatusActive, nil
	})
	return sum, err
}

// pollUntil calls cond with a growing pause (50 ms up to 1 s) until it
// reports done, fails, or ctx ends.
// deleting reports that what ("stream orders") is being deleted and, with
// wait, waits until describe fails with an error gone recognises.
func deleting(ctx context.Context, w io.Writer, what string, wait bool, gone func(error) bool, describe func() error) error {
	fmt.Fprintf(w, "deleting %s\n", what)
	if !wait {
		return nil
	}
	err := pollUntil(ctx, func() (bool, error) {
		err := describe()
		if gone(err) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s is deleted\n", what)
	return nil
}

func pollUntil(ctx context.Context, cond func() (bool, error)) error {
	pause := 50 * time.Millisecond
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if done, err := cond(); done || err != nil {
			return err
		}
		t.Reset(pause)
		pause = min(pause*3/2, time.Second)
	}
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

func modeOf(d *types.StreamModeDetails) string {
	if d == nil || d.StreamMode == "" {
		return string(types.StreamModeProvisioned)
	}
	return string(d.StreamMode)
}

func hours(h int32) string {
	if h%24 == 0 && h > 24 {
		return fmt.Sprintf("%dh (%d days)", h, h/24)
	}
	return fmt.Sprintf("%dh", h)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

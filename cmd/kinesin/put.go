package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/spf13/cobra"
)

// PutRecords limits (AWS): per request 500 records and 5 MiB, per record
// 1 MiB of data plus partition key.
const (
	maxBatchRecords = 500
	maxBatchBytes   = 5 << 20
	maxRecordBytes  = 1 << 20
)

func newPutCmd(a *app) *cobra.Command {
	var (
		key   string
		batch batchFlags
	)
	cmd := &cobra.Command{
		Use:   "put STREAM [DATA]",
		Short: "Put records into a stream",
		Long: `Put one record whose data is DATA (PutRecord) and print the shard and
sequence number it got.

Without DATA, every line of standard input (without its line ending) becomes
a record, sent with PutRecords in batches of at most 500 records and 5 MiB.
A batch goes out when it is full or when no new line arrived for --linger,
so a slow producer (tail -f app.log | kinesin put logs) is not held back.
Records the server rejects (such as ProvisionedThroughputExceededException)
are retried with exponential backoff up to --max-retries times. Progress goes
to standard error, a summary to standard output.

Every record gets a random partition key, spreading records over all
shards, unless --key sets one for all of them (keeping their order within
one shard).`,
		Example: `  kinesin put orders '{"id":1,"total":9.5}'
  kinesin put orders --key customer-42 '{"id":2}'
  seq 1 100000 | kinesin put numbers
  tail -f /var/log/app.log | kinesin put logs --key app-1`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, stream := cmd.Context(), args[0]
			if len(args) == 2 {
				k := key
				if k == "" {
					k = randomKey()
				}
				out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{
					StreamName:   aws.String(stream),
					PartitionKey: aws.String(k),
					Data:         []byte(args[1]),
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", aws.ToString(out.ShardId), aws.ToString(out.SequenceNumber))
				return nil
			}
			return newKinesisPutter(c, stream, key).putAll(cmd, batch, stream, cmd.InOrStdin())
		},
	}
	cmd.Flags().StringVarP(&key, "key", "k", "", "partition key of every record (default: a random key per record)")
	batch.add(cmd)
	return cmd
}

func randomKey() string { return strconv.FormatUint(rand.Uint64(), 16) }

// recordsPutter is the part of the Kinesis client the batch sender uses;
// tests substitute a server that rejects records.
type recordsPutter interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// newKinesisPutter makes a batchPutter of PutRecords batches into stream,
// with key as the partition key of every record ("" for a random key per
// record).
func newKinesisPutter(api recordsPutter, stream, key string) *batchPutter[types.PutRecordsRequestEntry] {
	return &batchPutter[types.PutRecordsRequestEntry]{
		maxBatchRecords: maxBatchRecords,
		maxBatchBytes:   maxBatchBytes,
		maxLineBytes:    maxRecordBytes,
		lineLimit:       "1 MiB",
		entry: func(data []byte) (types.PutRecordsRequestEntry, int, error) {
			k := key
			if k == "" {
				k = randomKey()
			}
			n := len(data) + len(k)
			if n > maxRecordBytes {
				return types.PutRecordsRequestEntry{}, 0, fmt.Errorf("a record of %d bytes (data and key) is over the 1 MiB limit", n)
			}
			return types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(k)}, n, nil
		},
		dataBytes: func(e types.PutRecordsRequestEntry) int { return len(e.Data) },
		put: func(ctx context.Context, entries []types.PutRecordsRequestEntry) ([]types.PutRecordsRequestEntry, string, error) {
			out, err := api.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
			if err != nil {
				return nil, "", err
			}
			if len(out.Records) != len(entries) {
				return nil, "", fmt.Errorf("PutRecords answered %d results for %d records", len(out.Records), len(entries))
			}
			var failed []types.PutRecordsRequestEntry
			var lastErr string
			for i, r := range out.Records {
				if r.ErrorCode != nil && *r.ErrorCode != "" {
					failed = append(failed, entries[i])
					lastErr = aws.ToString(r.ErrorCode) + ": " + aws.ToString(r.ErrorMessage)
				}
			}
			return failed, lastErr, nil
		},
		backoff:    100 * time.Millisecond,
		maxBackoff: 5 * time.Second,
	}
}

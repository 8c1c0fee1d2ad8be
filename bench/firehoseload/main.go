// Command firehoseload measures Firehose DirectPut delivery: writers send
// PutRecordBatch calls of JSON records to an in-process kinesin, whose
// delivery stream buffers them and writes GZIP objects to the embedded S3
// stand-in under a temporary data dir. It reports the put rate and the
// delivered rate (records in objects, from /metrics
// firehose_DeliveryToS3_Records) from the first put until every record
// was delivered.
//
//	go run ./bench/firehoseload -records 500000 -writers 4
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/kinesin/kinesin/bench/internal/cpu"
	"github.com/kinesin/kinesin/internal/server"
)

func main() {
	records := flag.Int("records", 500_000, "records to put")
	writers := flag.Int("writers", 4, "concurrent PutRecordBatch writers")
	batch := flag.Int("batch", 500, "records per PutRecordBatch")
	size := flag.Int("size", 1024, "bytes per JSON record")
	compression := flag.String("compression", "GZIP", "CompressionFormat")
	sizeMB := flag.Int("buffer-mb", 64, "BufferingHints.SizeInMBs")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to FILE")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*records, *writers, *batch, *size, *compression, *sizeMB); err != nil {
		fmt.Fprintln(os.Stderr, "firehoseload:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(records, writers, batch, size int, compression string, sizeMB int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "firehoseload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	defer srv.Close(ctx)
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 4 * writers })
	fc := firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""), HTTPClient: hc, Retryer: aws.NopRetryer{}})
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("load"),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::bench"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
			CompressionFormat: ftypes.CompressionFormat(compression),
			BufferingHints:    &ftypes.BufferingHints{SizeInMBs: aws.Int32(int32(sizeMB)), IntervalInSeconds: aws.Int32(1)},
		}}); err != nil {
		return err
	}
	for {
		out, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("load")})
		if err != nil {
			return err
		}
		if out.DeliveryStreamDescription.DeliveryStreamStatus == ftypes.DeliveryStreamStatusActive {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// One JSON record of about size bytes, newline-terminated.
	pad := strings.Repeat("x", max(size-40, 1))
	var failed atomic.Int64
	var next atomic.Int64
	cpu0, start := cpu.Process(), time.Now()
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs := make([]ftypes.Record, batch)
			for {
				n := int(next.Add(int64(batch))) - batch
				if n >= records {
					return
				}
				k := min(batch, records-n)
				for i := range k {
					recs[i] = ftypes.Record{Data: []byte(fmt.Sprintf("{\"n\":%d,\"pad\":\"%s\"}\n", n+i, pad))}
				}
				out, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("load"), Records: recs[:k]})
				if err != nil {
					failed.Add(int64(k))
					continue
				}
				failed.Add(int64(aws.ToInt32(out.FailedPutCount)))
			}
		}()
	}
	wg.Wait()
	putDone := time.Since(start)
	want := int64(records) - failed.Load()
	for delivered(srv.URL()) < want {
		time.Sleep(20 * time.Millisecond)
	}
	total, used := time.Since(start), cpu.Process()-cpu0
	fmt.Printf("firehoseload %s — %d CPUs, %s\n", time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.Version())
	fmt.Printf("records %d × %d B, %d writers × PutRecordBatch of %d, %s, buffer %d MiB, failed %d\n", records, size, writers, batch, compression, sizeMB, failed.Load())
	fmt.Printf("put %.0f records/s; delivered %.0f records/s end to end; CPU %.0f%% of the machine\n",
		float64(records)/putDone.Seconds(), float64(want)/total.Seconds(), 100*used.Seconds()/total.Seconds()/float64(runtime.NumCPU()))
	return nil
}

// delivered reads firehose_DeliveryToS3_Records (successful deliveries).
func delivered(url string) int64 {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var n int64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "firehose_DeliveryToS3_Records{") {
			f := strings.Fields(l)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			n += int64(v)
		}
	}
	return n
}

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
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/bench/internal/cpu"
	"github.com/kinesin/kinesin/internal/pipeline"
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
	client := flag.String("client", "raw", "how writers send: raw (pre-encoded JSON bodies over net/http, so the load generator costs little CPU) or sdk (the AWS SDK's client)")
	transform := flag.String("transform", "", "a Go function directory (e.g. examples/functions/go-transform, built as WebAssembly) or a .wasm module to run as the delivery stream's Lambda processor")
	uninterruptible := flag.Bool("wasm-uninterruptible", false, "run WebAssembly functions without wazero's timeout checks (kinesin serve --wasm-uninterruptible)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*records, *writers, *batch, *size, *compression, *sizeMB, *client, *transform, *uninterruptible); err != nil {
		fmt.Fprintln(os.Stderr, "firehoseload:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(records, writers, batch, size int, compression string, sizeMB int, client, transform string, uninterruptible bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "firehoseload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", DataDir: dir, WasmUninterruptible: uninterruptible,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	defer srv.Close(ctx)
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 4 * writers })
	fc := firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""), HTTPClient: hc, Retryer: aws.NopRetryer{}})
	ext := &ftypes.ExtendedS3DestinationConfiguration{
		BucketARN: aws.String("arn:aws:s3:::bench"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
		CompressionFormat: ftypes.CompressionFormat(compression),
		BufferingHints:    &ftypes.BufferingHints{SizeInMBs: aws.Int32(int32(sizeMB)), IntervalInSeconds: aws.Int32(1)},
	}
	if transform != "" {
		arn, err := createTransform(ctx, srv.URL(), transform)
		if err != nil {
			return err
		}
		ext.ProcessingConfiguration = &ftypes.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []ftypes.Processor{{
			Type: ftypes.ProcessorTypeLambda, Parameters: []ftypes.ProcessorParameter{{ParameterName: ftypes.ProcessorParameterNameLambdaArn, ParameterValue: aws.String(arn)}}}}}
	}
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("load"),
		ExtendedS3DestinationConfiguration: ext}); err != nil {
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
				if client == "raw" {
					failed.Add(int64(putRaw(ctx, hc, srv.URL(), "load", recs[:k])))
					continue
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
	fmt.Printf("records %d × %d B, %d writers × PutRecordBatch of %d (%s client), %s, buffer %d MiB, transform %q, failed %d\n", records, size, writers, batch, client, compression, sizeMB, transform, failed.Load())
	fmt.Printf("put %.0f records/s; delivered %.0f records/s end to end; CPU %.0f%% of the machine\n",
		float64(records)/putDone.Seconds(), float64(want)/total.Seconds(), 100*used.Seconds()/total.Seconds()/float64(runtime.NumCPU()))
	return nil
}

// delivered reads firehose_DeliveryTo_Records{destination="S3"} (records delivered).
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
		if strings.HasPrefix(l, "firehose_DeliveryTo_Records{") && strings.Contains(l, `destination="S3"`) {
			f := strings.Fields(l)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			n += int64(v)
		}
	}
	return n
}

// putRaw sends one PutRecordBatch as the SDK would, with the body encoded
// here directly, and answers how many records failed.
func putRaw(ctx context.Context, hc *awshttp.BuildableClient, url, name string, recs []ftypes.Record) int {
	body := make([]byte, 0, 64+len(recs)*(20+len(recs[0].Data)*4/3))
	body = append(body, `{"DeliveryStreamName":"`...)
	body = append(body, name...)
	body = append(body, `","Records":[`...)
	for i, r := range recs {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"Data":"`...)
		body = base64.StdEncoding.AppendEncode(body, r.Data)
		body = append(body, `"}`...)
	}
	body = append(body, "]}"...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		return len(recs)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Firehose_20150804.PutRecordBatch")
	resp, err := hc.Do(req)
	if err != nil {
		return len(recs)
	}
	defer resp.Body.Close()
	var out struct{ FailedPutCount int }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return len(recs)
	}
	return out.FailedPutCount
}

// createTransform builds dir as a WebAssembly function, creates it and
// answers its ARN.
func createTransform(ctx context.Context, url, dir string) (string, error) {
	code, err := pipeline.Package(ctx, dir, "wasm", os.Stderr)
	if err != nil {
		return "", err
	}
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""), Retryer: aws.NopRetryer{}})
	out, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("transform"), Runtime: "wasm",
		Role: aws.String("arn:aws:iam::000000000000:role/f"), Handler: aws.String("transform"),
		Code: &ltypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(60), MemorySize: aws.Int32(512)})
	if err != nil {
		return "", err
	}
	w := lambda.NewFunctionActiveV2Waiter(lc, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("transform")}, time.Minute); err != nil {
		return "", err
	}
	return aws.ToString(out.FunctionArn), nil
}

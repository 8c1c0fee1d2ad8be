package main

import (
	"bytes"
	"fmt"
	"net"
	"strings"

	"github.com/valyala/fasthttp"
)

// startBaseline starts a fasthttp server on 127.0.0.1:0 that reads each
// request body, stores nothing and answers every PutRecords with one
// precomputed, valid response for records records. It returns its URL.
func startBaseline(records int) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	resp := putRecordsResponse(records)
	s := &fasthttp.Server{
		MaxRequestBodySize: 16 << 20,
		Handler: func(ctx *fasthttp.RequestCtx) {
			body := ctx.PostBody()
			ctx.SetContentType("application/x-amz-json-1.1")
			if !bytes.HasSuffix(ctx.Request.Header.Peek("X-Amz-Target"), []byte(".PutRecords")) || len(body) == 0 {
				ctx.SetStatusCode(fasthttp.StatusBadRequest)
				ctx.SetBodyString(`{"__type":"UnknownOperationException","message":"the baseline only answers PutRecords"}`)
				return
			}
			ctx.SetBody(resp)
		},
	}
	go s.Serve(ln) //nolint:errcheck // ends with Shutdown
	return "http://" + ln.Addr().String(), func() { _ = s.Shutdown() }, nil
}

func putRecordsResponse(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"FailedRecordCount":0,"EncryptionType":"NONE","Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"SequenceNumber":"4963%052d","ShardId":"shardId-000000000000"}`, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

package functions_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// logLine is the shape of a served log line.
var logLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} (.*)$`)

func (s *stack) invokeLog(t *testing.T, name, text string, async bool) {
	t.Helper()
	in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: fmt.Appendf(nil, `{"log":%q}`, text)}
	if async {
		in.InvocationType = "Event"
	}
	if _, err := s.client.Invoke(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func (s *stack) getLogs(t *testing.T, name, query string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.url + "/kinesin/v1/functions/" + name + "/logs" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestLogs(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "logger", nil)
	s.createEcho(t, "quiet", nil)
	s.invokeLog(t, "logger", "first line", false)
	s.invokeLog(t, "logger", "from an event", true)
	s.invokeLog(t, "quiet", "other function", false)

	var body string
	checkFor(t, 10*time.Second, func() error {
		status, b := s.getLogs(t, "logger", "")
		if status != 200 || !strings.Contains(b, "first line") || !strings.Contains(b, "from an event") {
			return fmt.Errorf("%d %q", status, b)
		}
		body = b
		return nil
	})
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		m := logLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("line %q is not TIMESTAMP REQUEST-ID LINE", l)
		} else if m[1] == "other function" {
			t.Errorf("logs of another function: %q", l)
		}
	}

	// since after every invocation: nothing.
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	if status, b := s.getLogs(t, "logger", "?since="+future); status != 200 || b != "" {
		t.Errorf("since the future: %d %q", status, b)
	}
	// A function that logged nothing yet answers empty.
	s.createEcho(t, "silent", nil)
	if status, b := s.getLogs(t, "silent", ""); status != 200 || b != "" {
		t.Errorf("silent: %d %q", status, b)
	}

	// Unknown function: Lambda's ResourceNotFoundException.
	resp, err := http.Get(s.url + "/kinesin/v1/functions/missing/logs")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e map[string]string
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" ||
		json.Unmarshal(b, &e) != nil || !strings.Contains(e["Message"], "missing") {
		t.Errorf("missing: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b)
	}
	for _, q := range []string{"?since=yesterday", "?follow=maybe"} {
		if status, b := s.getLogs(t, "logger", q); status != 400 {
			t.Errorf("%s: %d %s", q, status, b)
		}
	}
}

func TestLogsFollow(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "tailed", nil)
	s.invokeLog(t, "tailed", "before", false)
	checkFor(t, 10*time.Second, func() error {
		if _, b := s.getLogs(t, "tailed", ""); !strings.Contains(b, "before") {
			return fmt.Errorf("no line yet: %q", b)
		}
		return nil
	})
	since := strconv.FormatInt(time.Now().UnixMilli()+1, 10)

	// The server sends the headers with the first line, so the request
	// runs beside the invocations; since makes it see all of them.
	fctx, cancel := context.WithCancel(ctx)
	lines := make(chan string)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(lines)
		req, _ := http.NewRequestWithContext(fctx, "GET", s.url+"/kinesin/v1/functions/tailed/logs?follow=true&since="+since, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if fctx.Err() == nil {
				t.Error(err)
			}
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("follow: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			return
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-fctx.Done():
				return
			}
		}
	})
	defer wg.Wait()
	defer cancel()

	// The follower sees later invocations' lines, whichever way they run.
	for i, async := range []bool{false, true} {
		want := fmt.Sprintf("later %d", i)
		s.invokeLog(t, "tailed", want, async)
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stream ended")
			}
			m := logLine.FindStringSubmatch(l)
			if m == nil || m[1] != want {
				t.Fatalf("got %q, want the line %q", l, want)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("no line %q", want)
		}
	}
}

package functions_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestErrorShape checks Lambda's error wire format, which SDKs and the CLI
// parse: X-Amzn-ErrorType plus {"Type","Message"|"message"}.
func TestErrorShape(t *testing.T) {
	s := startStack(t)
	cases := []struct {
		method, path, body string
		status             int
		code, msgKey       string
	}{
		{"GET", "/2015-03-31/functions/missing", "", 404, "ResourceNotFoundException", "Message"},
		{"POST", "/2015-03-31/functions", `{"FunctionName":"x"}`, 400, "ValidationException", "message"},
		{"POST", "/2015-03-31/functions", `{"FunctionName":`, 400, "InvalidParameterValueException", "message"},
		{"GET", "/2015-03-31/functions/x/nope", "", 404, "UnknownOperationException", "message"},
		{"GET", "/2019-09-30/functions/x/provisioned-concurrency", "", 404, "UnknownOperationException", "message"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, s.url+c.path, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var body map[string]string
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("%s %s: body %s: %v", c.method, c.path, b, err)
		}
		if resp.StatusCode != c.status || resp.Header.Get("X-Amzn-ErrorType") != c.code || body["Type"] != "User" || body[c.msgKey] == "" {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b)
		}
	}
}

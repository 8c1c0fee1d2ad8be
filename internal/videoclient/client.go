package videoclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Client calls one endpoint: kinesin's base URL, or what GetDataEndpoint
// answered.
type Client struct {
	// Endpoint is the base URL, such as "http://localhost:4567".
	Endpoint string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
}

// APIError is an error answer of the service: its HTTP status, the error
// code (x-amzn-ErrorType, or the body's __type) and the message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("videoclient: %s (HTTP %d)", e.Code, e.Status)
	}
	return fmt.Sprintf("videoclient: %s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// maxErrorBody bounds what is read of an error answer.
const maxErrorBody = 64 << 10

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) url(op string) string {
	return strings.TrimRight(c.Endpoint, "/") + "/" + strings.TrimLeft(op, "/")
}

// newRequest builds POST /<op> with in as its JSON body.
func (c *Client) newRequest(ctx context.Context, op string, in any) (*http.Request, error) {
	body := []byte("{}")
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("videoclient: %s: encode input: %w", op, err)
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(op), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("videoclient: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// Raw sends POST /<op> with in as JSON and returns the response with its
// body unread, for operations that answer media (GetClip,
// GetMediaForFragmentList, GetMedia). An error answer is returned as
// *APIError, its body consumed.
func (c *Client) Raw(ctx context.Context, op string, in any) (*http.Response, error) {
	req, err := c.newRequest(ctx, op, in)
	if err != nil {
		return nil, err
	}
	return c.do(op, c.client(), req)
}

func (c *Client) do(op string, hc *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("videoclient: %s: %w", op, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, readError(resp)
	}
	return resp, nil
}

// Call does a REST-JSON operation: POST /<op> (op as the request URI of
// the AWS model: "createStream", "getDataEndpoint", "listFragments",
// "TagResource") with in as the JSON body (nil sends {}), and decodes a
// JSON answer into out (nil discards it). Error answers are *APIError.
func (c *Client) Call(ctx context.Context, op string, in, out any) error {
	resp, err := c.Raw(ctx, op, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("videoclient: %s: read answer: %w", op, err)
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 || !isJSON(resp.Header.Get("Content-Type"), body) {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("videoclient: %s: decode answer: %w", op, err)
	}
	return nil
}

// isJSON says whether an answer is JSON: by its Content-Type, or when it
// has none, by its first byte.
func isJSON(contentType string, body []byte) bool {
	if contentType == "" {
		b := bytes.TrimSpace(body)
		return len(b) > 0 && (b[0] == '{' || b[0] == '[')
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json") ||
		strings.HasPrefix(mt, "application/x-amz-json"))
}

// readError turns an error answer into *APIError. AWS's REST-JSON services
// name the code in x-amzn-ErrorType (possibly followed by ":" and a URL)
// and the message in the body's Message (some services say message).
func readError(resp *http.Response) *APIError {
	e := &APIError{Status: resp.StatusCode}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var b struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"Message"`
		Message2 string `json:"message"`
	}
	json.Unmarshal(body, &b) // a body that is not JSON leaves only the header's code
	e.Code = resp.Header.Get("X-Amzn-ErrorType")
	for _, c := range []string{b.Type, b.Code} {
		if e.Code == "" {
			e.Code = c
		}
	}
	if i := strings.IndexByte(e.Code, ':'); i >= 0 {
		e.Code = e.Code[:i]
	}
	if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	if e.Code == "" {
		e.Code = http.StatusText(resp.StatusCode)
	}
	e.Message = b.Message
	if e.Message == "" {
		e.Message = b.Message2
	}
	return e
}

// IsCode says whether err is an *APIError with the given code.
func IsCode(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}

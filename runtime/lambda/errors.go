package lambda

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/valyala/fasthttp"
)

// errorBody is Lambda's function error document.
type errorBody struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType,omitempty"`
}

func (b errorBody) JSON() []byte {
	out, _ := json.Marshal(b) // strings only: cannot fail
	return out
}

// Function error types the platform reports, as Lambda names them.
const (
	errTypeExit      = "Runtime.ExitError"
	errTypeInit      = "Runtime.InitError"
	errTypeTimeout   = "Sandbox.Timedout"
	errTypeTooLarge  = "Function.ResponseSizeTooLarge"
	errTypeUnhandled = "Unhandled"
)

func exitError(requestID string, err error) errorBody {
	return errorBody{
		ErrorType:    errTypeExit,
		ErrorMessage: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", requestID, err),
	}
}

// timeoutError is Lambda's timeout message: "<time> <id> Task timed out
// after 3.00 seconds".
func timeoutError(requestID string, at time.Time, after time.Duration) errorBody {
	return errorBody{
		ErrorType: errTypeTimeout,
		ErrorMessage: fmt.Sprintf("%s %s Task timed out after %.2f seconds",
			at.UTC().Format("2006-01-02T15:04:05.000Z"), requestID, after.Seconds()),
	}
}

func tooLargeError(limit int64) errorBody {
	return errorBody{
		ErrorType:    errTypeTooLarge,
		ErrorMessage: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", limit),
	}
}

// apiError is a Runtime API error answer to the bootstrap process.
type apiError struct {
	status int
	body   errorBody
}

var (
	errInvalidRequestID = apiError{http.StatusBadRequest, errorBody{ErrorType: "InvalidRequestID", ErrorMessage: "Invalid request ID"}}
	errInvalidState     = apiError{http.StatusForbidden, errorBody{ErrorType: "InvalidStateTransition", ErrorMessage: "State transition is not allowed"}}
	errTooLarge         = func(limit int64) apiError {
		return apiError{http.StatusRequestEntityTooLarge, errorBody{ErrorType: "RequestEntityTooLarge",
			ErrorMessage: fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", limit)}}
	}
	errBadBody = apiError{http.StatusBadRequest, errorBody{ErrorType: "InvalidRequest", ErrorMessage: "Could not read request body"}}
)

func (e apiError) write(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("application/json")
	ctx.SetStatusCode(e.status)
	ctx.SetBody(e.body.JSON())
}

// functionErrorPayload turns what a runtime posted to /error into the
// document the caller gets: the body as is when it is a JSON object,
// otherwise an errorBody built from the header and the text.
func functionErrorPayload(body []byte, headerType string) ([]byte, string) {
	var b struct {
		ErrorType string `json:"errorType"`
	}
	if len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &b) == nil {
		if b.ErrorType == "" {
			b.ErrorType = headerType
		}
		return body, b.ErrorType
	}
	if headerType == "" {
		headerType = errTypeUnhandled
	}
	return errorBody{ErrorType: headerType, ErrorMessage: string(body)}.JSON(), headerType
}

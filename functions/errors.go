package functions

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
)

// Lambda's error kinds. Lambda answers ResourceNotFoundException with 404,
// unlike Kinesis, so these rows are Lambda's own.
var (
	ResourceNotFound     = awserr.Kind{Code: "ResourceNotFoundException", Status: 404}
	InvalidParameter     = awserr.Kind{Code: "InvalidParameterValueException", Status: 400}
	ResourceConflict     = awserr.Kind{Code: "ResourceConflictException", Status: 409}
	TooManyRequests      = awserr.Kind{Code: "TooManyRequestsException", Status: 429}
	ServiceError         = awserr.Kind{Code: "ServiceException", Status: 500}
	RequestTooLarge      = awserr.Kind{Code: "RequestTooLargeException", Status: 413}
	UnsupportedMediaType = awserr.Kind{Code: "UnsupportedMediaTypeException", Status: 415}
	CodeStorageExceeded  = awserr.Kind{Code: "CodeStorageExceededException", Status: 400}
	PreconditionFailed   = awserr.Kind{Code: "PreconditionFailedException", Status: 412}
	Validation           = awserr.Kind{Code: "ValidationException", Status: 400}
	UnknownOperation     = awserr.Kind{Code: "UnknownOperationException", Status: 404}
)

// capitalMessage lists the kinds whose model names the message member
// "Message" rather than "message" (the SDKs read only the modeled name).
var capitalMessage = map[string]bool{
	ResourceNotFound.Code: true,
	ServiceError.Code:     true,
}

// throttleReason is the Reason of a TooManyRequestsException for reserved
// concurrency.
const throttleReason = "ReservedFunctionConcurrentInvocationLimitExceeded"

// throttled is a TooManyRequestsException with its Reason member.
type throttled struct {
	e      *awserr.Error
	reason string
}

func (t throttled) Error() string { return t.e.Error() }
func (t throttled) Unwrap() error { return t.e }

func errTooManyRequests() error {
	return throttled{TooManyRequests.New("Rate Exceeded."), throttleReason}
}

// errNoCapacity is the TooManyRequestsException of an invocation that got
// no instance in time, or of an event this process has no room to queue.
func errNoCapacity() error {
	return throttled{TooManyRequests.New("Rate Exceeded."), "ConcurrentInvocationLimitExceeded"}
}

// errorResponse renders err as Lambda does: header X-Amzn-ErrorType and a
// JSON body {"Type":"User"|"Service","message":…}.
func errorResponse(err error) *router.Response {
	e := awserr.As(err)
	if e.Kind == awserr.InternalFailure {
		e = ServiceError.New("")
	}
	body := map[string]string{"Type": "User"}
	if e.Status >= 500 {
		body["Type"] = "Service"
	}
	if capitalMessage[e.Code] {
		body["Message"] = e.Message
	} else {
		body["message"] = e.Message
	}
	var th throttled
	if errors.As(err, &th) {
		body["Reason"] = th.reason
	}
	b, _ := json.Marshal(body)
	h := map[string]string{"Content-Type": "application/json", "X-Amzn-ErrorType": e.Code}
	if e.Status == http.StatusTooManyRequests {
		h["Retry-After"] = "1"
	}
	return &router.Response{Status: e.Status, Header: h, Body: b}
}

// ErrorResponse renders err as Lambda does, for the other services that
// serve Lambda's API (event source mappings).
func ErrorResponse(err error) *router.Response { return errorResponse(err) }

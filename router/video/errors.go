package video

import (
	"encoding/json"
	"net/http"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
)

// The error kinds every Kinesis Video API answers (control plane, media,
// archived media), with the HTTP statuses their models declare
// (ResourceNotFoundException is 404 here, unlike in Kinesis Data
// Streams). router/playback and router/images answer these too.
var (
	ErrInvalidArgument     = awserr.Kind{Code: "InvalidArgumentException", Status: http.StatusBadRequest}
	ErrResourceNotFound    = awserr.Kind{Code: "ResourceNotFoundException", Status: http.StatusNotFound}
	ErrSerialization       = awserr.Kind{Code: "SerializationException", Status: http.StatusBadRequest}
	ErrNoDataRetention     = awserr.Kind{Code: "NoDataRetentionException", Status: http.StatusBadRequest}
	ErrClientLimitExceeded = awserr.Kind{Code: "ClientLimitExceededException", Status: http.StatusBadRequest}
)

// The control plane's own error kinds.
var (
	errInUse           = awserr.Kind{Code: "ResourceInUseException", Status: http.StatusBadRequest}
	errVersionMismatch = awserr.Kind{Code: "VersionMismatchException", Status: http.StatusBadRequest}
	errTooManyTags     = awserr.Kind{Code: "TagsPerResourceExceededLimitException", Status: http.StatusBadRequest}
	errAccountLimit    = awserr.Kind{Code: "AccountStreamLimitExceededException", Status: http.StatusBadRequest}
)

// RESTError answers e as KinesisVideo's REST-JSON error: its status, the
// x-amzn-ErrorType header and a {"Message": …} body (the member name the
// models give every KinesisVideo error). An InternalFailure keeps its 500
// status and hides nothing more than awserr.As already did.
func RESTError(e *awserr.Error) *router.Response {
	if e == nil {
		e = awserr.InternalFailure.New("")
	}
	b, _ := json.Marshal(struct {
		Message string `json:"Message"`
	}{e.Message})
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	return &router.Response{Status: status, Body: b, Header: map[string]string{
		"Content-Type":     "application/json",
		"x-amzn-ErrorType": e.Code,
	}}
}

// validation turns collected violations into KinesisVideo's answer to
// them: InvalidArgumentException with the ValidationException wording.
func validation(v *awserr.Violations) error {
	e := v.Err()
	if e == nil {
		return nil
	}
	return ErrInvalidArgument.New("%s", e.Message)
}

package images

import (
	"net/http"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
)

// The error kinds GetImages answers with, with the statuses the Kinesis
// Video Archived Media model declares (ResourceNotFoundException is 404 in
// this API, unlike in Kinesis Data Streams).
var (
	errInvalidArgument = awserr.Kind{Code: "InvalidArgumentException", Status: http.StatusBadRequest}
	errNotFound        = awserr.Kind{Code: "ResourceNotFoundException", Status: http.StatusNotFound}
	errNoRetention     = awserr.Kind{Code: "NoDataRetentionException", Status: http.StatusBadRequest}
	errSerialization   = awserr.Kind{Code: "SerializationException", Status: http.StatusBadRequest}
	// errNotImplemented is the answer of a server without ffmpeg: the
	// feature is missing from this deployment, which AWS answers (S3's
	// NotImplemented) with 501, a status SDKs do not retry.
	errNotImplemented = awserr.Kind{Code: "NotImplemented", Status: http.StatusNotImplemented}
)

// restError answers e as Kinesis Video's REST-JSON error (status,
// x-amzn-ErrorType header, {"Message": …} body), through router/video's
// one writer of it.
func restError(e *awserr.Error) *router.Response { return video.RESTError(e) }

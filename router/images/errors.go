package images

import (
	"net/http"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
)

// errNotImplemented is the answer of a server without ffmpeg: the feature
// is missing from this deployment, which AWS answers (S3's NotImplemented)
// with 501, a status SDKs do not retry. GetImages's other errors are the
// Kinesis Video kinds of router/video.
var errNotImplemented = awserr.Kind{Code: "NotImplemented", Status: http.StatusNotImplemented}

// restError answers e as Kinesis Video's REST-JSON error (status,
// x-amzn-ErrorType header, {"Message": …} body), through router/video's
// one writer of it.
func restError(e *awserr.Error) *router.Response { return video.RESTError(e) }

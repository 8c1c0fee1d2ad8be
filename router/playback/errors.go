package playback

import (
	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
)

// The Archived Media API's own error kinds (botocore
// kinesis-video-archived-media; NotAuthorizedException is 403 as the API
// reference documents it for expired session tokens). The kinds all Kinesis
// Video APIs share are router/video's.
var (
	ErrNotAuthorized        = awserr.Kind{Code: "NotAuthorizedException", Status: 403}
	ErrUnsupportedMediaType = awserr.Kind{Code: "UnsupportedStreamMediaTypeException", Status: 400}
	ErrMissingCodecPrivate  = awserr.Kind{Code: "MissingCodecPrivateDataException", Status: 400}
	ErrInvalidCodecPrivate  = awserr.Kind{Code: "InvalidCodecPrivateDataException", Status: 400}
	ErrInvalidMediaFrame    = awserr.Kind{Code: "InvalidMediaFrameException", Status: 400}
)

// restError answers e as KinesisVideo's REST-JSON error (video.RESTError),
// readable by browser players too.
func restError(e *awserr.Error) *router.Response {
	r := video.RESTError(e)
	r.Header["Access-Control-Allow-Origin"] = "*"
	return r
}

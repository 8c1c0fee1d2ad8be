package mkv

import (
	"errors"
	"fmt"
)

// Code is a PutMedia acknowledgement ErrorId.
type Code int

// PutMedia acknowledgement ErrorIds, with AWS's descriptions. The reader
// produces 4000, 4001, 4002, 4006, 4010 and 4012; TimecodeChecker 4004 and
// Cluster.CheckTracks 4011. The others are for the PutMedia handler.
const (
	CodeReadError           Code = 4000 // Error reading the data stream.
	CodeFragmentTooLarge    Code = 4001 // Fragment size is greater than maximum limit, 50 MB, allowed.
	CodeFragmentTooLong     Code = 4002 // Fragment duration is greater than maximum limit, 10 seconds, allowed.
	CodeConnectionTooLong   Code = 4003 // Connection duration is greater than maximum allowed threshold.
	CodeTimecodeBackwards   Code = 4004 // Fragment timecode is less than the timecode previous time code.
	CodeInvalidMKV          Code = 4006 // Failed to parse the input stream as valid MKV format.
	CodeInvalidProducerTime Code = 4007 // Invalid producer timestamp.
	CodeStreamDeleted       Code = 4008 // Stream no longer exists (deleted).
	CodeTrackNumberMismatch Code = 4010 // The track number in an MKV frame did not match the tracks in the MKV header.
	CodeFramesMissing       Code = 4011 // The fragment did not contain any frames for at least one of the tracks in the MKV header.
	CodeTooManyTracks       Code = 4012 // More than the allowed number of tracks found in the input MKV.
	CodeInternal            Code = 5000 // Internal service error.
	CodePersistFailed       Code = 5001 // Failed to persist fragments to the data store.
)

// Error is a reader error that carries the PutMedia ErrorId it maps to.
// errors.Is(err, ErrInvalidMKV) and friends compare the Code only.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying error, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("mkv: %s: %v", e.Msg, e.Err)
	}
	return "mkv: " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code
	}
	return false
}

// Sentinels for errors.Is.
var (
	ErrRead                = &Error{Code: CodeReadError, Msg: "read error"}
	ErrFragmentTooLarge    = &Error{Code: CodeFragmentTooLarge, Msg: "fragment too large"}
	ErrFragmentTooLong     = &Error{Code: CodeFragmentTooLong, Msg: "fragment duration too long"}
	ErrTimecodeBackwards   = &Error{Code: CodeTimecodeBackwards, Msg: "fragment timecode lesser than previous"}
	ErrInvalidMKV          = &Error{Code: CodeInvalidMKV, Msg: "invalid mkv data"}
	ErrTrackNumberMismatch = &Error{Code: CodeTrackNumberMismatch, Msg: "track number mismatch"}
	ErrFramesMissing       = &Error{Code: CodeFramesMissing, Msg: "frames missing for track"}
	ErrTooManyTracks       = &Error{Code: CodeTooManyTracks, Msg: "too many tracks"}
)

// ErrorCode returns the PutMedia ErrorId for err: the Code of an *Error in
// its chain, or CodeInternal (5000) otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

func invalid(format string, args ...any) error {
	return &Error{Code: CodeInvalidMKV, Msg: fmt.Sprintf(format, args...)}
}

// TimecodeChecker checks that fragment (cluster) timecodes never go
// backwards within one PutMedia session (ErrorId 4004).
type TimecodeChecker struct {
	last    uint64
	started bool
}

// Check records tc and returns an *Error with CodeTimecodeBackwards if it is
// lower than the previous timecode. Equal timecodes are accepted.
func (c *TimecodeChecker) Check(tc uint64) error {
	if c.started && tc < c.last {
		return &Error{Code: CodeTimecodeBackwards, Msg: fmt.Sprintf("fragment timecode %d lesser than previous %d", tc, c.last)}
	}
	c.last, c.started = tc, true
	return nil
}

package splunk

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// HEC paths, relative to HECEndpoint.
const (
	pathEvent = "/services/collector/event"
	pathRaw   = "/services/collector/raw"
	pathAck   = "/services/collector/ack"
)

// HEC status codes (the "code" member of HEC's answers).
const (
	hecSuccess          = 0
	hecTokenDisabled    = 1
	hecTokenRequired    = 2
	hecInvalidAuth      = 3
	hecInvalidToken     = 4
	hecNoData           = 5
	hecInvalidFormat    = 6
	hecIncorrectIndex   = 7
	hecInternalError    = 8
	hecServerBusy       = 9
	hecChannelMissing   = 10
	hecInvalidChannel   = 11
	hecEventRequired    = 12
	hecEventBlank       = 13
	hecAckDisabled      = 14
	hecIndexedFieldsErr = 15
)

// Firehose's Splunk error codes.
const (
	CodeProxyWithoutStickySessions = "Splunk.ProxyWithoutStickySessions"
	CodeDisabledToken              = "Splunk.DisabledToken"
	CodeInvalidToken               = "Splunk.InvalidToken"
	CodeInvalidDataFormat          = "Splunk.InvalidDataFormat"
	CodeInvalidIndex               = "Splunk.InvalidIndex"
	CodeServerError                = "Splunk.ServerError"
	CodeDisabledAck                = "Splunk.DisabledAck"
	CodeAckTimeout                 = "Splunk.AckTimeout"
	CodeConnectionTimeout          = "Splunk.ConnectionTimeout"
	CodeInvalidEndpoint            = "Splunk.InvalidEndpoint"
	CodeConnectionClosed           = "Splunk.ConnectionClosed"
	CodeSSLUnverified              = "Splunk.SSLUnverified"
	CodeSSLHandshake               = "Splunk.SSLHandshake"
)

// Messages are Firehose's messages for its Splunk error codes, worded as
// the service writes them into failure documents.
var Messages = map[string]string{
	CodeProxyWithoutStickySessions: "If you have a proxy (ELB or other) between Kinesis Firehose and the HEC node, you must enable sticky sessions to support HEC ACKs.",
	CodeDisabledToken:              "The HEC token is disabled. Enable the token to allow data delivery to Splunk.",
	CodeInvalidToken:               "The HEC token is invalid. Update Kinesis Firehose with a valid HEC token.",
	CodeInvalidDataFormat:          "The data is not formatted correctly. To see how to properly format data for Raw or Event HEC endpoints, see Splunk Event Data.",
	CodeInvalidIndex:               "The HEC token or input is configured with an invalid index. Check your index configuration and try again.",
	CodeServerError:                "Data delivery to Splunk failed due to a server error from the HEC node. Kinesis Firehose will retry sending the data if the retry duration in your Kinesis Firehose is greater than 0. If all the retries fail, Kinesis Firehose backs up the data to Amazon S3.",
	CodeDisabledAck:                "Indexer acknowledgement is disabled for the HEC token. Enable indexer acknowledgement and try again. For more info, see Enable indexer acknowledgement.",
	CodeAckTimeout:                 "Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired. Despite the acknowledgement timeout, it's possible the data was indexed successfully in Splunk. Kinesis Firehose backs up in Amazon S3 data for which the acknowledgement timeout expired.",
	CodeConnectionTimeout:          "The connection to Splunk timed out. This might be a transient error and the request will be retried. Kinesis Firehose backs up the data to Amazon S3 if all retries fail.",
	CodeInvalidEndpoint:            "Could not connect to the HEC endpoint. Make sure that the HEC endpoint URL is valid and reachable from Kinesis Firehose.",
	CodeConnectionClosed:           "Unable to send data to Splunk due to a connection failure. This might be a transient error. Increasing the retry duration in your Kinesis Firehose configuration might guard against such transient failures.",
	CodeSSLUnverified:              "Could not connect to the HEC endpoint. The host does not match the certificate provided by the peer. Make sure that the certificate and the host are valid.",
	CodeSSLHandshake:               "Could not connect to the HEC endpoint. Make sure that the certificate and the host are valid.",
}

// response is HEC's answer to an event, raw or ack request.
type response struct {
	Text               string          `json:"text"`
	Code               *int            `json:"code"`
	AckID              *int64          `json:"ackId"`
	InvalidEventNumber *int            `json:"invalid-event-number"`
	Acks               map[string]bool `json:"acks"`
}

// decodeResponse decodes HEC's answer with the given HTTP status. A body
// that is not an HEC answer is an error.
func decodeResponse(status int, body []byte) (response, error) {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return response{}, fmt.Errorf("splunk: HTTP %d with a body that is not HEC's JSON: %w", status, err)
	}
	return r, nil
}

// deliveryError is a failed attempt: Firehose's error code, and what
// happened for the log.
type deliveryError struct {
	code   string
	detail string
}

func (e *deliveryError) Error() string { return "splunk: " + e.code + ": " + e.detail }

func fail(code, format string, args ...any) *deliveryError {
	return &deliveryError{code: code, detail: fmt.Sprintf(format, args...)}
}

// classifyHEC maps an HEC error answer (HTTP status and HEC code) to
// Firehose's error code.
func classifyHEC(status int, r response, decodeErr error) *deliveryError {
	if decodeErr != nil || r.Code == nil {
		switch {
		case status == http.StatusNotFound:
			return fail(CodeInvalidEndpoint, "HTTP %d: no HEC at this endpoint", status)
		default:
			return fail(CodeServerError, "HTTP %d without an HEC status code", status)
		}
	}
	c := *r.Code
	detail := "HTTP " + strconv.Itoa(status) + ", HEC code " + strconv.Itoa(c) + ": " + r.Text
	switch c {
	case hecTokenDisabled:
		return &deliveryError{CodeDisabledToken, detail}
	case hecTokenRequired, hecInvalidAuth, hecInvalidToken:
		return &deliveryError{CodeInvalidToken, detail}
	case hecNoData, hecInvalidFormat, hecEventRequired, hecEventBlank, hecIndexedFieldsErr:
		return &deliveryError{CodeInvalidDataFormat, detail}
	case hecIncorrectIndex:
		return &deliveryError{CodeInvalidIndex, detail}
	case hecChannelMissing, hecInvalidChannel:
		// The node that answered does not know the channel: a load
		// balancer sent the request to another node.
		return &deliveryError{CodeProxyWithoutStickySessions, detail}
	case hecAckDisabled:
		return &deliveryError{CodeDisabledAck, detail}
	default:
		return &deliveryError{CodeServerError, detail}
	}
}

// classifyTransport maps an error of the HTTP round trip to Firehose's
// error code.
func classifyTransport(err error) *deliveryError {
	var (
		hostErr *x509.HostnameError
		authErr x509.UnknownAuthorityError
		certErr x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		verErr  *tls.CertificateVerificationError
		dnsErr  *net.DNSError
		opErr   *net.OpError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &hostErr):
		return fail(CodeSSLUnverified, "%v", err)
	case errors.As(err, &authErr), errors.As(err, &certErr), errors.As(err, &recErr),
		errors.As(err, &alert), errors.As(err, &verErr):
		return fail(CodeSSLHandshake, "%v", err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fail(CodeConnectionTimeout, "%v", err)
	case errors.As(err, &dnsErr), errors.As(err, &opErr) && opErr.Op == "dial":
		return fail(CodeInvalidEndpoint, "%v", err)
	default:
		return fail(CodeConnectionClosed, "%v", err)
	}
}

package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

// clientConfig is what a Kinesis client for a kinesin server needs. It knows
// nothing of cobra, so tests and other commands can build clients the same
// way.
type clientConfig struct {
	// Endpoint is the server's URL; "host:port" means http://host:port.
	Endpoint string
	Region   string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// Getenv reads the environment (credentials); nil means none.
	Getenv func(string) string
}

// awsConfig builds the aws-sdk-go-v2 configuration every client of a
// kinesin server shares, and the endpoint URL. It reads no shared config
// files and never asks an instance metadata service: credentials are
// AWS_ACCESS_KEY_ID (with AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN) when
// set, else the static pair kinesin/kinesin, which a kinesin server accepts
// unless it enforces SigV4.
func awsConfig(cfg clientConfig) (aws.Config, string, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	endpoint := cfg.Endpoint
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return aws.Config{}, "", fmt.Errorf("invalid --endpoint %q: want a URL such as %s", cfg.Endpoint, defaultEndpoint)
	}
	if cfg.Region == "" {
		return aws.Config{}, "", errors.New("--region must not be empty")
	}
	creds := credentials.NewStaticCredentialsProvider("kinesin", "kinesin", "")
	if id := getenv("AWS_ACCESS_KEY_ID"); id != "" {
		creds = credentials.NewStaticCredentialsProvider(id, getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN"))
	}
	httpClient := awshttp.NewBuildableClient()
	if cfg.Insecure {
		httpClient = httpClient.WithTransportOptions(func(t *http.Transport) {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by --insecure
		})
	}
	return aws.Config{
		Region:      cfg.Region,
		Credentials: aws.NewCredentialsCache(creds),
		HTTPClient:  httpClient,
	}, u.String(), nil
}

// newClient builds a client of one AWS service for cfg; newFromConfig is
// the service's NewFromConfig (kinesis.NewFromConfig, ...).
func newClient[C, O any](cfg clientConfig, newFromConfig func(aws.Config, ...func(*O)) *C) (*C, error) {
	awsCfg, endpoint, err := awsConfig(cfg)
	if err != nil {
		return nil, err
	}
	awsCfg.BaseEndpoint = aws.String(endpoint)
	return newFromConfig(awsCfg), nil
}

// lazyClient returns *c, building it for the global flags on first use.
func lazyClient[C, O any](a *app, c **C, newFromConfig func(aws.Config, ...func(*O)) *C) (*C, error) {
	if *c == nil {
		built, err := newClient(a.clientConfig(), newFromConfig)
		if err != nil {
			return nil, err
		}
		*c = built
	}
	return *c, nil
}

// describeErr shortens the SDK's error texts ("operation error Kinesis:
// CreateStream, https response error StatusCode: 400, RequestID: …,
// ResourceInUseException: …") to "CreateStream: ResourceInUseException: …"
// and explains a server that cannot be reached, keeping any context the
// command added around them.
func describeErr(err error) string {
	msg := err.Error()
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return msg
	}
	short := oe.Error()
	var ae smithy.APIError
	var ne *net.OpError
	switch {
	case errors.As(err, &ae):
		short = fmt.Sprintf("%s: %s: %s", oe.Operation(), ae.ErrorCode(), ae.ErrorMessage())
	case errors.As(err, &ne) && ne.Op == "dial":
		short = fmt.Sprintf("%s: cannot reach the server (%v); is `kinesin serve` running? Set --endpoint or KINESIN_ENDPOINT", oe.Operation(), ne.Err)
	}
	return strings.Replace(msg, oe.Error(), short, 1)
}

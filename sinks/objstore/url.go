package objstore

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ParseURL reads an S3 endpoint URL (see the package documentation), e.g.
// "http://user:secret@127.0.0.1:7070?region=us-east-1".
func ParseURL(s string) (S3Options, error) {
	u, err := parseEndpoint(s)
	if err != nil {
		return S3Options{}, err
	}
	o := S3Options{}
	if u.User != nil {
		o.AccessKeyID = u.User.Username()
		secret, ok := u.User.Password()
		if o.AccessKeyID == "" || !ok || secret == "" {
			return S3Options{}, fmt.Errorf("objstore: s3 endpoint %s: the user info must be ACCESS_KEY_ID:SECRET_ACCESS_KEY", redact(u))
		}
		o.SecretAccessKey = secret
	}
	host := u.Hostname()
	aws := isAWSHost(host)
	o.PathStyle = !aws
	o.Region = awsRegion(host)
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return S3Options{}, fmt.Errorf("objstore: s3 endpoint %s: query: %w", redact(u), err)
	}
	for name, vs := range q {
		if len(vs) != 1 {
			return S3Options{}, fmt.Errorf("objstore: s3 endpoint %s: %s given %d times", redact(u), name, len(vs))
		}
		v := vs[0]
		switch name {
		case "region":
			if v == "" || strings.ContainsAny(v, " /\t\r\n") {
				return S3Options{}, fmt.Errorf("objstore: s3 endpoint %s: region %q", redact(u), v)
			}
			o.Region = v
		case "path-style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return S3Options{}, fmt.Errorf("objstore: s3 endpoint %s: path-style %q: want true or false", redact(u), v)
			}
			if !b && !aws {
				return S3Options{}, fmt.Errorf("objstore: s3 endpoint %s: path-style=false: only AWS hosts are addressed virtual-hosted style", redact(u))
			}
			o.PathStyle = b
		default:
			return S3Options{}, fmt.Errorf("objstore: s3 endpoint %s: unknown parameter %q (want region, path-style)", redact(u), name)
		}
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	u.User, u.RawQuery, u.Path, u.RawPath = nil, "", "", ""
	o.Endpoint = u.String()
	return o, nil
}

// parseEndpoint checks the parts of an endpoint URL that every caller
// shares: http or https, a host, no path or fragment.
func parseEndpoint(s string) (*url.URL, error) {
	if s == "" {
		return nil, fmt.Errorf("objstore: empty s3 endpoint")
	}
	u, err := url.Parse(s)
	if err != nil {
		// url's error quotes the whole URL, secret included.
		return nil, fmt.Errorf("objstore: s3 endpoint: not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("objstore: s3 endpoint %s: scheme %q: want http or https", redact(u), u.Scheme)
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("objstore: s3 endpoint %s: no host", redact(u))
	case u.Path != "" && u.Path != "/":
		return nil, fmt.Errorf("objstore: s3 endpoint %s: path %q: the endpoint has none (buckets are not part of it)", redact(u), u.Path)
	case u.Fragment != "" || u.RawFragment != "" || strings.Contains(s, "#"):
		return nil, fmt.Errorf("objstore: s3 endpoint %s: fragment", redact(u))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("objstore: s3 endpoint %s: port %q", redact(u), p)
		}
	}
	u.Path, u.RawPath = "", ""
	return u, nil
}

// redact is u without its password, for error messages.
func redact(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.RawFragment = "", "", ""
	return c.Redacted()
}

// isAWSHost tells AWS's S3 host names, which support virtual-hosted
// addressing, from every other server's.
func isAWSHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn")
}

// awsRegion is the region an AWS S3 host name carries
// (s3.eu-west-1.amazonaws.com, s3-eu-west-1.amazonaws.com,
// s3.dualstack.eu-west-1.amazonaws.com, s3-fips.us-east-2.amazonaws.com),
// or "".
func awsRegion(host string) string {
	if !isAWSHost(host) {
		return ""
	}
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(host, ".")), ".")
	// Drop "amazonaws", "com" (and "cn"), then look at what is left from
	// the right: the label before the suffix is the region when it looks
	// like one.
	n := len(labels) - 2
	if strings.HasSuffix(host, ".cn") {
		n--
	}
	if n < 1 {
		return ""
	}
	last := labels[n-1]
	last = strings.TrimPrefix(last, "s3-")
	if looksLikeRegion(last) {
		return last
	}
	return ""
}

// looksLikeRegion tells "eu-west-1", "us-gov-west-1", "cn-north-1" from
// "s3" or "s3-fips".
func looksLikeRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	if _, err := strconv.Atoi(parts[len(parts)-1]); err != nil {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
	}
	return parts[0] != "s3"
}

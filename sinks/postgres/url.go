package postgres

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Target is where a ClusterJDBCURL points.
type Target struct {
	Host     string
	Port     int
	Database string
	// User and Password come from a postgres:// URL's user info (the
	// configuration's Username and Password take precedence).
	User, Password string
	// Params are the connection parameters passed on to the driver
	// (sslmode, connect_timeout, application_name, …).
	Params url.Values
}

// Default ports.
const (
	RedshiftPort = 5439
	PostgresPort = 5432
)

// jdbcParams are the JDBC URL parameters kinesin passes on; others (JDBC
// driver tuning) are ignored.
var jdbcParams = map[string]bool{"sslmode": true, "connect_timeout": true, "application_name": true}

// ParseURL parses a ClusterJDBCURL:
//
//	jdbc:redshift://host[:port]/database[?params]    (AWS's form; port default 5439)
//	jdbc:postgresql://host[:port]/database[?params]  (port default 5432)
//	postgres://[user[:password]@]host[:port]/database[?params]   (kinesin extension; also postgresql://)
//
// AWS requires a Redshift host name (…redshift.<region>.amazonaws.com) and
// a port; kinesin takes any host name or IP address (IPv6 in brackets).
// In JDBC URLs, ssl=true means sslmode=require, and sslmode,
// connect_timeout and application_name are passed on; other JDBC
// parameters are ignored. A postgres:// URL's parameters all go to the
// driver (pgx), which checks them.
func ParseURL(s string) (Target, error) {
	var t Target
	rest, jdbc := strings.CutPrefix(s, "jdbc:")
	u, err := url.Parse(rest)
	if err != nil {
		return t, fmt.Errorf("not a URL: %w", errors.Unwrap(err))
	}
	switch {
	case jdbc && u.Scheme == "redshift":
		t.Port = RedshiftPort
	case jdbc && u.Scheme == "postgresql":
		t.Port = PostgresPort
	case !jdbc && (u.Scheme == "postgres" || u.Scheme == "postgresql"):
		t.Port = PostgresPort
	default:
		return t, errors.New("want jdbc:redshift://host:port/database, jdbc:postgresql://… or postgres://…")
	}
	if u.Opaque != "" || u.Host == "" {
		return t, errors.New("missing host")
	}
	if u.User != nil {
		if jdbc {
			return t, errors.New("user info is not allowed in a JDBC URL: use Username and Password")
		}
		t.User = u.User.Username()
		t.Password, _ = u.User.Password()
	}
	t.Host = u.Hostname()
	if t.Host == "" {
		return t, errors.New("missing host")
	}
	if !goodHost(t.Host) {
		return t, fmt.Errorf("bad host %q", t.Host)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return t, fmt.Errorf("bad port %q", p)
		}
		t.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return t, errors.New("empty port")
	}
	db, err := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/"))
	if err != nil {
		return t, fmt.Errorf("bad database name: %w", err)
	}
	if db == "" || strings.Contains(db, "/") {
		return t, errors.New("want one database name after the host, as in …:5439/dev")
	}
	if u.Fragment != "" {
		return t, errors.New("unexpected fragment")
	}
	t.Database = db
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return t, fmt.Errorf("bad parameters: %w", err)
	}
	t.Params = url.Values{}
	for k, vs := range q {
		switch {
		case !jdbc:
			t.Params[k] = vs
		case strings.EqualFold(k, "ssl"):
			if len(vs) > 0 && strings.EqualFold(vs[len(vs)-1], "true") && q.Get("sslmode") == "" {
				t.Params.Set("sslmode", "require")
			}
		case jdbcParams[k]:
			t.Params[k] = vs
		}
	}
	if _, err := pgx.ParseConfig(t.ConnString("", "")); err != nil {
		return t, fmt.Errorf("bad connection parameters: %w", errors.Unwrap(err))
	}
	return t, nil
}

// ConnString is the driver's connection URL for t, with user and password
// (when given) in place of the URL's own.
func (t Target) ConnString(user, password string) string {
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), Path: "/" + t.Database}
	if user == "" {
		user, password = t.User, t.Password
	}
	if user != "" {
		if password != "" {
			u.User = url.UserPassword(user, password)
		} else {
			u.User = url.User(user)
		}
	}
	u.RawQuery = t.Params.Encode()
	return u.String()
}

// goodHost: an IP address, or a DNS name (letters, digits, '-', '_', '.').
func goodHost(h string) bool {
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		return err == nil && a.Zone() == ""
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return h != ""
}

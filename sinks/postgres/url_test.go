package postgres_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kinesin/kinesin/sinks/postgres"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "jdbc:redshift://examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com:5439/dev",
			want: "postgres://examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com:5439/dev"},
		{in: "jdbc:redshift://wg.123456789012.us-east-1.redshift-serverless.amazonaws.com:5439/dev",
			want: "postgres://wg.123456789012.us-east-1.redshift-serverless.amazonaws.com:5439/dev"},
		{in: "jdbc:redshift://localhost/dev", want: "postgres://localhost:5439/dev"},
		{in: "jdbc:postgresql://127.0.0.1/dev", want: "postgres://127.0.0.1:5432/dev"},
		{in: "jdbc:postgresql://[::1]:6000/dev?ssl=true&tcpKeepAlive=true", want: "postgres://[::1]:6000/dev?sslmode=require"},
		{in: "jdbc:redshift://h:5439/dev?sslmode=disable&ssl=true", want: "postgres://h:5439/dev?sslmode=disable"},
		{in: "postgres://u:p%40ss@db.local:6543/my_db?sslmode=disable&application_name=k",
			want: "postgres://u:p%40ss@db.local:6543/my_db?application_name=k&sslmode=disable"},
		{in: "postgresql://db/x", want: "postgres://db:5432/x"},
		{in: "jdbc:redshift://h:5439/d%24b-1", want: "postgres://h:5439/d$b-1"},
		{in: "", err: "want jdbc:redshift"},
		{in: "jdbc:mysql://h:3306/db", err: "want jdbc:redshift"},
		{in: "redshift://h:5439/dev", err: "want jdbc:redshift"},
		{in: "jdbc:redshift:h:5439/dev", err: "missing host"},
		{in: "jdbc:redshift:///dev", err: "missing host"},
		{in: "jdbc:redshift://h:0/dev", err: "bad port"},
		{in: "jdbc:redshift://h:70000/dev", err: "bad port"},
		{in: "jdbc:redshift://h:/dev", err: "empty port"},
		{in: "jdbc:redshift://h:5439", err: "database"},
		{in: "jdbc:redshift://h:5439/", err: "database"},
		{in: "jdbc:redshift://h:5439/a/b", err: "database"},
		{in: "jdbc:redshift://u:p@h:5439/dev", err: "user info"},
		{in: "postgres://h/db?sslmode=sometimes", err: "bad connection parameters"},
		{in: "postgres://h/db#frag", err: "fragment"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := postgres.ParseURL(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := got.ConnString("", ""); s != tc.want {
				t.Fatalf("ConnString %q, want %q", s, tc.want)
			}
		})
	}
	tg, err := postgres.ParseURL("postgres://u:p@h/db")
	if err != nil {
		t.Fatal(err)
	}
	if s := tg.ConnString("firehose", "pa:ss"); s != "postgres://firehose:pa%3Ass@h:5432/db" {
		t.Fatalf("ConnString with credentials: %s", s)
	}
}

// FuzzParseURL: the parser never panics, and what it accepts names a
// host, a port in range and a database, in a connection string the driver
// reads back the same.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"jdbc:redshift://examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com:5439/dev",
		"jdbc:postgresql://[::1]:6000/dev?ssl=true",
		"postgres://u:p@h:1/db?sslmode=disable",
		"postgresql://h/db%2F",
		"jdbc:redshift://h:5439/dev;UID=a;PWD=b",
		"jdbc:redshift://%zz/dev",
		"postgres://h/db?connect_timeout=x",
		"jdbc:",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := postgres.ParseURL(s)
		if err != nil {
			return
		}
		if tg.Host == "" || tg.Database == "" || tg.Port < 1 || tg.Port > 65535 {
			t.Fatalf("%q accepted as %+v", s, tg)
		}
		cs := tg.ConnString("user", "pass word")
		cc, err := pgx.ParseConfig(cs)
		if err != nil {
			t.Fatalf("%q: connection string %q: %v", s, cs, err)
		}
		if cc.Host != tg.Host || int(cc.Port) != tg.Port || cc.Database != tg.Database || cc.User != "user" || cc.Password != "pass word" {
			t.Fatalf("%q: %q read back as host %q port %d db %q user %q", s, cs, cc.Host, cc.Port, cc.Database, cc.User)
		}
		if _, err := url.Parse(cs); err != nil {
			t.Fatal(err)
		}
	})
}

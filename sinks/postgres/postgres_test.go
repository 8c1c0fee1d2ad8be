package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/pgtest"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/postgres"
)

// db answers a fresh database on the package's PostgreSQL (TestMain runs
// pgtest.Main) and a connection to it.
func db(t *testing.T) (url string, conn *pgx.Conn) {
	t.Helper()
	url = pgtest.Start(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return url, conn
}

func exec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func ptr[T any](v T) *T { return &v }

// config is a valid configuration for url (a postgres:// URL from pgtest,
// turned into AWS's JDBC form to exercise it).
func config(t *testing.T, url, table string, columns, options *string, retrySeconds int64) postgres.Config {
	t.Helper()
	tg, err := postgres.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	jdbc := fmt.Sprintf("jdbc:postgresql://%s:%d/%s?sslmode=disable", tg.Host, tg.Port, tg.Database)
	c := postgres.Config{
		RoleARN:         ptr("arn:aws:iam::123456789012:role/firehose"),
		ClusterJDBCURL:  ptr(jdbc),
		CopyCommand:     &postgres.CopyCommand{DataTableName: ptr(table), DataTableColumns: columns, CopyOptions: options},
		Username:        ptr("postgres"),
		Password:        ptr("unused-with-trust"),
		RetryOptions:    &postgres.RetryOptions{DurationInSeconds: ptr(retrySeconds)},
		S3Configuration: json.RawMessage(`{"RoleARN":"arn:aws:iam::123456789012:role/firehose","BucketARN":"arn:aws:s3:::b"}`),
	}
	c.Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func newDest(t *testing.T, c postgres.Config) dest.Destination {
	t.Helper()
	return newDestLog(t, c, nil)
}

func newDestLog(t *testing.T, c postgres.Config, log *slog.Logger) dest.Destination {
	t.Helper()
	d, err := postgres.New(c, dest.Options{Stream: "s", TimeUnit: 10 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func batch(datas ...string) dest.Batch {
	var b dest.Batch
	now := time.Now()
	for i, d := range datas {
		b.Records = append(b.Records, dest.Record{ID: fmt.Sprintf("id-%d", i), Data: []byte(d), Arrival: now})
	}
	b.Oldest = now
	return b
}

func deliverOK(t *testing.T, d dest.Destination, b dest.Batch) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fs, err := d.Deliver(ctx, b)
	if err != nil || len(fs) != 0 {
		for _, f := range fs {
			t.Logf("failure: %s %s", f.ErrorCode, f.ErrorMessage)
		}
		t.Fatalf("Deliver: %d failures, err %v", len(fs), err)
	}
}

// rows answers the query's rows, each as its columns' text joined by |.
func rows(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rs, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				parts[i] = "NULL"
			case time.Time:
				parts[i] = x.UTC().Format(time.RFC3339Nano)
			case map[string]any, []any:
				j, _ := json.Marshal(x)
				parts[i] = string(j)
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func same(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDeliver(t *testing.T) {
	t.Parallel()
	url, conn := db(t)
	exec(t, conn, `CREATE TABLE events (
		id serial PRIMARY KEY, name text, n int, big bigint, score double precision,
		ok boolean, at timestamp, attrs jsonb, note varchar(5), created timestamptz DEFAULT '2000-01-01T00:00:00Z', day date)`)
	exec(t, conn, `CREATE SCHEMA app; CREATE TABLE app."Mixed" (a text, "B" int, c text NOT NULL DEFAULT 'd')`)

	t.Run("json auto", func(t *testing.T) {
		exec(t, conn, "TRUNCATE events RESTART IDENTITY")
		c := config(t, url, "events", nil, ptr("json 'auto' gzip timeformat 'auto'"), 60)
		d := newDest(t, c)
		deliverOK(t, d, batch(
			`{"name":"a","n":1,"big":9007199254740993,"score":1.5,"ok":true,"at":"2024-03-15T10:20:30Z","attrs":{"k":[1,2]},"day":"2024-03-15"}`+"\n",
			`{"NAME":"b","N":"2","ok":false,"at":"2024-03-15 10:20:30.123","attrs":"text","extra":"ignored"}`+
				`{"name":"c","at":1710498030,"attrs":null,"score":-2e3,"day":1710498030}`,
			"\n  \n",
		))
		same(t, rows(t, conn, "SELECT id, name, n, big, score, ok, at, attrs, note, created, day FROM events ORDER BY id"), []string{
			`1|a|1|9007199254740993|1.5|true|2024-03-15T10:20:30Z|{"k":[1,2]}|NULL|2000-01-01T00:00:00Z|2024-03-15T00:00:00Z`,
			`2|b|2|NULL|NULL|false|2024-03-15T10:20:30.123Z|text|NULL|2000-01-01T00:00:00Z|NULL`,
			`3|c|NULL|NULL|-2000|NULL|2024-03-15T10:20:30Z|NULL|NULL|2000-01-01T00:00:00Z|2024-03-15T00:00:00Z`,
		})
	})

	t.Run("json column subset", func(t *testing.T) {
		exec(t, conn, "TRUNCATE events RESTART IDENTITY")
		c := config(t, url, "events", ptr("name, Score ,created"), ptr("format as json 'auto ignorecase'"), 60)
		d := newDest(t, c)
		deliverOK(t, d, batch(`{"name":"x","n":7,"score":2,"created":"2024-01-02T03:04:05+01:00"}`, `{"name":"y"}`))
		same(t, rows(t, conn, "SELECT id, name, n, score, created FROM events ORDER BY id"), []string{
			"1|x|NULL|2|2024-01-02T02:04:05Z",
			"2|y|NULL|NULL|NULL",
		})
	})

	t.Run("schema and quoted names", func(t *testing.T) {
		c := config(t, url, `app."Mixed"`, nil, ptr("json 'auto'"), 60)
		d := newDest(t, c)
		deliverOK(t, d, batch(`{"a":"x","b":3}`))
		same(t, rows(t, conn, `SELECT a, "B", c FROM app."Mixed"`), []string{"x|3|d"})
	})

	t.Run("csv", func(t *testing.T) {
		exec(t, conn, "TRUNCATE events RESTART IDENTITY")
		c := config(t, url, "events", ptr("name,n,score,ok,at,note"),
			ptr("csv delimiter ';' ignoreheader 1 emptyasnull truncatecolumns"), 60)
		d := newDest(t, c)
		deliverOK(t, d, batch(
			"name;n;score;ok;at;note\n",
			`"semi;colon";1;0.25;t;2024-03-15 10:20:30;abcdefgh`+"\n",
			`"multi`+"\n"+`line ""quoted""";;;false;;`, // no newline at the end: one is added
			`;3;;;;"  "`+"\n",
		))
		same(t, rows(t, conn, "SELECT name, n, score, ok, at, note FROM events ORDER BY id"), []string{
			"semi;colon|1|0.25|true|2024-03-15T10:20:30Z|abcde",
			"multi\nline \"quoted\"|NULL|NULL|false|NULL|NULL",
			"NULL|3|NULL|NULL|NULL|  ",
		})
	})

	t.Run("delimited text", func(t *testing.T) {
		exec(t, conn, "TRUNCATE events RESTART IDENTITY")
		c := config(t, url, "events", ptr("name,n,note"),
			ptr(`delimiter '\t' escape null as 'NIL' blanksasnull fillrecord`), 60)
		d := newDest(t, c)
		deliverOK(t, d, batch("back\\\\slash\\\ttab\t5\tNIL\n", "   \t6\n"))
		same(t, rows(t, conn, "SELECT name, n, note FROM events ORDER BY id"), []string{
			"back\\slash\ttab|5|NULL",
			"NULL|6|NULL",
		})
	})

	t.Run("default pipe delimiter", func(t *testing.T) {
		exec(t, conn, "TRUNCATE events RESTART IDENTITY")
		c := config(t, url, "events", ptr("name,n"), nil, 60)
		d := newDest(t, c)
		deliverOK(t, d, batch("a\\b|1", "c|\\N"))
		same(t, rows(t, conn, "SELECT name, n FROM events ORDER BY id"), []string{`a\b|1`, "c|NULL"})
	})

	t.Run("noload", func(t *testing.T) {
		exec(t, conn, "TRUNCATE events RESTART IDENTITY")
		c := config(t, url, "events", nil, ptr("json 'auto' noload"), 60)
		deliverOK(t, newDest(t, c), batch(`{"name":"a"}`))
		same(t, rows(t, conn, "SELECT name FROM events"), nil)
	})
}

func TestBadRecordFailsBatch(t *testing.T) {
	t.Parallel()
	url, conn := db(t)
	for i, tc := range []struct {
		name, options string
		data          []string
		code, cause   string
	}{
		{"bad value", "json 'auto'", []string{`{"name":"a","n":1}`, `{"name":"b","n":"x"}`},
			postgres.CodeDataLoadFailed, `record 2 (id id-1): invalid input syntax for type integer: "x"`},
		{"bad json", "json 'auto'", []string{`{"name":"a"}`, `{"name":`},
			postgres.CodeDataLoadFailed, "record 2 (id id-1): invalid JSON object"},
		{"not an object", "json 'auto'", []string{`[1]`},
			postgres.CodeDataLoadFailed, "record 1 (id id-0): invalid JSON object"},
		{"too few fields", "delimiter ','", []string{"a,1", "b"},
			postgres.CodeDataLoadFailed, "record 2 (id id-1): Delimiter not found"},
		{"too many fields", "csv", []string{"a,1,2"},
			postgres.CodeDataLoadFailed, "record 1 (id id-0): Extra column(s) found"},
		{"invalid utf-8", "", []string{"a|1", "\xffb|2"},
			postgres.CodeDataLoadFailed, "record 2 (id id-1): invalid byte sequence"},
		{"unsupported option", "json 's3://bucket/jsonpaths.json'", []string{`{}`},
			postgres.CodeIncorrectCopyOptions, "JSONPaths"},
		{"unknown option", "jason 'auto'", []string{`{}`},
			postgres.CodeSyntaxError, `unknown COPY option "jason"`},
	} {
		table := fmt.Sprintf("t%d", i)
		exec(t, conn, "CREATE TABLE "+table+" (name text, n int)")
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDest(t, config(t, url, table, nil, ptr(tc.options), 300))
			start := time.Now()
			fs, err := d.Deliver(context.Background(), batch(tc.data...))
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != len(tc.data) {
				t.Fatalf("%d failures, want %d", len(fs), len(tc.data))
			}
			// Retried for about 300 "seconds" of 10 ms (3 s) before giving up.
			if el := time.Since(start); el > 30*time.Second {
				t.Fatalf("gave up after %v", el)
			}
			for i, f := range fs {
				if f.OutputType != postgres.OutputType || f.ErrorCode != tc.code || f.ID != fmt.Sprintf("id-%d", i) ||
					!strings.Contains(f.ErrorMessage, tc.cause) || f.AttemptsMade < 2 || string(f.Data) != tc.data[i] {
					t.Fatalf("failure %d: %+v", i, f)
				}
			}
			c2, err := pgx.Connect(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close(context.Background())
			same(t, rows(t, c2, "SELECT * FROM "+table), nil) // all or nothing
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	t.Parallel()
	url, conn := db(t)
	exec(t, conn, "CREATE TABLE strict (a text, b int NOT NULL)")
	for _, tc := range []struct {
		name, table string
		columns     *string
		code        string
	}{
		{"no table", "nope", nil, postgres.CodeTableNotFound},
		{"no column", "strict", ptr("a,zz"), postgres.CodeColumnNotFound},
		{"missing not null", "strict", ptr("a"), postgres.CodeMissingColumn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDest(t, config(t, url, tc.table, tc.columns, ptr("json 'auto'"), 0))
			fs, err := d.Deliver(context.Background(), batch(`{"a":"x","b":1}`))
			if err != nil || len(fs) != 1 || fs[0].ErrorCode != tc.code || fs[0].AttemptsMade != 1 {
				t.Fatalf("err %v failures %+v", err, fs)
			}
		})
	}
	t.Run("auth", func(t *testing.T) {
		exec(t, conn, "CREATE ROLE alice LOGIN")
		c := config(t, url, "strict", nil, nil, 0)
		c.Username = ptr("nobody_here")
		fs, err := newDest(t, c).Deliver(context.Background(), batch("x|1"))
		if err != nil || len(fs) != 1 || fs[0].ErrorCode != postgres.CodeAuthenticationFailed {
			t.Fatalf("err %v failures %+v", err, fs)
		}
	})
}

func TestDatabaseDownThenUp(t *testing.T) {
	t.Parallel()
	s := pgtest.StartServer(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn, "CREATE TABLE t (n int)")
	conn.Close(ctx)

	failed := newAttempts()
	d := newDestLog(t, config(t, s.URL(), "t", nil, ptr("json 'auto'"), 3000), slog.New(failed)) // 30 s of 10 ms
	deliverOK(t, d, batch(`{"n":1}`))                                                            // connected

	s.Stop()
	var fs []dest.Failure
	var derr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fs, derr = d.Deliver(ctx, batch(`{"n":2}`, `{"n":3}`))
	}()
	// Let a few attempts fail, then bring the database back.
	failed.wait(t, 3)
	s.Restart(t)
	wg.Wait()
	if derr != nil || len(fs) != 0 {
		t.Fatalf("after restart: err %v failures %+v", derr, fs)
	}
	conn, err = pgx.Connect(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	same(t, rows(t, conn, "SELECT n FROM t ORDER BY n"), []string{"1", "2", "3"})
}

// attempts counts the failed delivery attempts a destination logs.
type attempts struct {
	slog.Handler
	n atomic.Int64
}

func newAttempts() *attempts {
	return &attempts{Handler: slog.NewTextHandler(io.Discard, nil)}
}

func (a *attempts) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "postgres: delivery attempt failed" {
		a.n.Add(1)
	}
	return nil
}

// waitAttempts polls until at least n attempts have failed.
func (a *attempts) wait(t *testing.T, n int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for a.n.Load() < n {
		if !clock.Sleep(ctx, 5*time.Millisecond) {
			t.Fatalf("%d failed attempts, waited for %d", a.n.Load(), n)
		}
	}
}

// closedURL is a database URL on a port where nothing listens.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/db?sslmode=disable", port)
}

func TestDatabaseDownGivesUp(t *testing.T) {
	t.Parallel()
	c := config(t, closedURL(t), "t", nil, nil, 3)
	fs, err := newDest(t, c).Deliver(context.Background(), batch("1", "2"))
	if err != nil || len(fs) != 2 || fs[0].ErrorCode != postgres.CodeConnectionFailed ||
		!strings.HasPrefix(fs[0].ErrorMessage, "The connection to the specified Amazon Redshift cluster failed.") {
		t.Fatalf("err %v failures %+v", err, fs)
	}
}

func TestContextCancel(t *testing.T) {
	t.Parallel()
	c := config(t, closedURL(t), "t", nil, nil, 7200)
	failed := newAttempts()
	d := newDestLog(t, c, slog.New(failed))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var fs []dest.Failure
	var err error
	go func() {
		defer close(done)
		fs, err = d.Deliver(ctx, batch("1"))
	}()
	failed.wait(t, 2)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Deliver did not return after cancel")
	}
	if !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("err %v failures %v", err, fs)
	}
}

func TestConcurrentDeliver(t *testing.T) {
	t.Parallel()
	url, conn := db(t)
	exec(t, conn, "CREATE TABLE t (n int)")
	d := newDest(t, config(t, url, "t", nil, ptr("json 'auto'"), 60))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deliverOK(t, d, batch(fmt.Sprintf(`{"n":%d}`, i)))
		}()
	}
	wg.Wait()
	same(t, rows(t, conn, "SELECT count(*), sum(n) FROM t"), []string{"8|28"})
}

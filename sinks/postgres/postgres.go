package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kinesin/kinesin/sinks/dest"
)

// Destination loads batches into a PostgreSQL table, one transaction per
// batch.
type Destination struct {
	cfg     Config
	target  Target
	connCfg *pgx.ConnConfig
	table   string
	columns []string
	opts    CopyOptions
	optsErr error
	o       dest.Options

	mu   sync.Mutex // one attempt at a time; guards conn
	conn *pgx.Conn
}

var _ dest.Destination = (*Destination)(nil)

// connectTimeout bounds a connection attempt when the URL sets none.
const connectTimeout = 10 * time.Second

// New builds the destination from a validated configuration. It does not
// connect: the first Deliver does (and every attempt after a broken
// connection). CopyOptions kinesin cannot honour make every delivery fail
// with Redshift.SyntaxError or Redshift.IncorrectCopyOptions, as the COPY
// would on Redshift.
func New(c Config, o dest.Options) (dest.Destination, error) {
	if c.ClusterJDBCURL == nil || c.CopyCommand == nil || c.CopyCommand.DataTableName == nil {
		return nil, errors.New("postgres: incomplete configuration (ClusterJDBCURL, CopyCommand.DataTableName)")
	}
	t, err := ParseURL(*c.ClusterJDBCURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: ClusterJDBCURL: %w", err)
	}
	var user, pass string
	if c.Username != nil {
		user = *c.Username
	}
	if c.Password != nil {
		pass = *c.Password
	}
	cc, err := pgx.ParseConfig(t.ConnString(user, pass))
	if err != nil {
		return nil, fmt.Errorf("postgres: connection: %w", err)
	}
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = connectTimeout
	}
	// Redshift loads timestamps without a zone as UTC.
	cc.RuntimeParams["timezone"] = "UTC"
	cols, err := parseColumnList(c.CopyCommand.DataTableColumns)
	if err != nil {
		return nil, fmt.Errorf("postgres: DataTableColumns: %w", err)
	}
	d := &Destination{cfg: c, target: t, connCfg: cc, table: *c.CopyCommand.DataTableName, columns: cols, o: o}
	var options string
	if c.CopyCommand.CopyOptions != nil {
		options = *c.CopyCommand.CopyOptions
	}
	d.opts, d.optsErr = ParseCopyOptions(options)
	if d.optsErr == nil && len(d.opts.Ignored) > 0 {
		o.Log().Debug("postgres: COPY options without effect", "stream", o.Stream, "options", d.opts.Ignored)
	}
	return d, nil
}

// Deliver loads b in one transaction: every record or none, as a Redshift
// COPY does. A failed attempt (connection, bad record, missing table…) is
// retried with backoff until RetryOptions.DurationInSeconds has passed
// since the first; then every record of the batch is answered as a
// Failure with the last attempt's Redshift error code. The error is
// non-nil only when ctx ended.
func (d *Destination) Deliver(ctx context.Context, b dest.Batch) ([]dest.Failure, error) {
	if len(b.Records) == 0 {
		return nil, nil
	}
	r := dest.Retry{Duration: d.o.Seconds(d.cfg.retrySeconds()), Initial: d.o.Seconds(1), Max: d.o.Seconds(120)}
	var last *loadError
	attempts, err := r.Do(ctx, func(n int) (bool, error) {
		le := d.attempt(ctx, b)
		if le == nil {
			return true, nil
		}
		last = le
		d.o.Log().Warn("postgres: delivery attempt failed", "stream", d.o.Stream, "attempt", n,
			"records", len(b.Records), "code", le.code, "cause", le.cause)
		return false, le
	})
	if err == nil {
		return nil, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return dest.FailAll(b, OutputType, last.code, last.message(), attempts), nil
}

// attempt is one COPY of the batch in its own transaction.
func (d *Destination) attempt(ctx context.Context, b dest.Batch) *loadError {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.optsErr != nil {
		return classify(d.optsErr, false)
	}
	if d.conn == nil || d.conn.IsClosed() {
		conn, err := pgx.ConnectConfig(ctx, d.connCfg)
		if err != nil {
			return classify(err, true)
		}
		d.conn = conn
	}
	err := d.load(ctx, b)
	if err == nil {
		return nil
	}
	le := classify(err, false)
	if le.conn || d.conn.IsClosed() || ctx.Err() != nil {
		d.drop()
	}
	return le
}

func (d *Destination) drop() {
	if d.conn != nil {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = d.conn.Close(cctx)
		cancel()
		d.conn = nil
	}
}

func (d *Destination) load(ctx context.Context, b dest.Batch) (err error) {
	tx, err := d.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = tx.Rollback(rctx)
			cancel()
		}
	}()
	t, err := lookupTable(ctx, tx, d.table)
	if err != nil {
		return err
	}
	list, err := t.resolve(d.columns)
	if err != nil {
		return err
	}
	var rows *batchRows
	if d.opts.Format == JSON {
		rows, err = buildJSON(b, t, list, &d.opts)
	} else {
		rows, err = buildText(b, t, list, &d.opts)
	}
	if err != nil {
		return err
	}
	if len(rows.record) > 0 {
		sql := "COPY " + t.ident.Sanitize() + " ("
		for i, ci := range rows.cols {
			if i > 0 {
				sql += ", "
			}
			sql += pgx.Identifier{t.cols[ci].name}.Sanitize()
		}
		sql += ") FROM STDIN"
		if _, err := tx.Conn().PgConn().CopyFrom(ctx, &rows.buf, sql); err != nil {
			return locate(err, b, rows)
		}
	}
	if d.opts.NoLoad {
		return tx.Rollback(ctx)
	}
	return tx.Commit(ctx)
}

var copyLine = regexp.MustCompile(`line (\d+)`)

// locate names the record of the row PostgreSQL rejected (its error
// context says "COPY t, line N, column c: …").
func locate(err error, b dest.Batch, rows *batchRows) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	le := classify(err, false)
	if m := copyLine.FindStringSubmatch(pe.Where); m != nil {
		if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= len(rows.record) {
			rec := rows.record[n-1]
			le.cause = fmt.Sprintf("record %d (id %s): %s", rec+1, b.Records[rec].ID, le.cause)
		}
	}
	if pe.Where != "" {
		le.cause += " [" + pe.Where + "]"
	}
	return le
}

// Close closes the connection.
func (d *Destination) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.drop()
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/runtime/sql/discover"
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/records"
)

// Names kinesin sql gives the parts of the application it wraps a bare
// query into.
const (
	sqlInput      = "SOURCE_SQL_STREAM_001"
	sqlOutput     = "DESTINATION_SQL_STREAM"
	sqlPump       = "KINESIN_SQL_PUMP"
	sqlErrors     = "error_stream"
	sqlMaxVarchar = 65535
)

type sqlOpts struct {
	stream, from, schema string
	format               string
	sample               int
	sampleWait           time.Duration
	limit                int
	explain              bool
	advanceEvery         time.Duration
}

func newSQLCmd(a *app) *cobra.Command {
	o := sqlOpts{advanceEvery: 100 * time.Millisecond}
	cmd := &cobra.Command{
		Use:   "sql [--stream STREAM] QUERY",
		Short: "Run a streaming SQL query against a stream and print its rows live",
		Long: `Run a query of the Kinesis Data Analytics SQL dialect against a stream, the
way an application would, and print the rows it produces as they come,
until interrupted (Ctrl-C) or --limit rows are printed. Nothing is created
on the server: kinesin sql reads the stream with GetRecords (as kinesin
tail does) and runs the query in this process.

QUERY is a SELECT, or - to read it from standard input. The stream is
--stream, or else the one the query reads: FROM "orders" reads the stream
orders. Either way the query may also name it SOURCE_SQL_STREAM_001, as
application code does. Its rows are the stream's records parsed with the
input schema, plus the columns ROWTIME (when the row was read),
APPROXIMATE_ARRIVAL_TIME, PARTITION_KEY, SEQUENCE_NUMBER and SHARD_ID.
The schema comes from --schema (a JSON SourceSchema or DiscoverInputSchema
answer, as kinesin apps create takes) or is inferred from the first
--sample records (JSON or CSV; text columns are widened to at least 256
characters, whole numbers to BIGINT and REAL to DOUBLE, so that later
records fit). With --from latest (the default) nothing prints until
records arrive.

A bare SELECT is wrapped into an application: its rows are pumped into
DESTINATION_SQL_STREAM, each column as text (SELECT STREAM is implied).
QUERY may also be whole application code (CREATE STREAM, CREATE PUMP, ...);
then the rows of every stream it declares are printed, each prefixed with
its stream's name when there are several. Windows close on the wall clock:
a tumbling window of a minute prints its rows when the minute is over.
Rows that fail at run time (error_stream) are reported on standard error.

--format text prints a header and aligned columns, json one object per
row, csv comma-separated values with a header. --explain prints the input
columns and the application code the query runs as, and exits.`,
		Example: `  kinesin sql 'SELECT STREAM * FROM "orders" WHERE amount > 100'
  kinesin sql --from trim_horizon --format json --limit 10 'SELECT STREAM * FROM "orders"'
  kinesin sql --stream ticker --from trim_horizon - <<'EOF'
  SELECT STREAM ticker, MIN(price), MAX(price), COUNT(*) FROM SOURCE_SQL_STREAM_001
  GROUP BY ticker, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND)
  EOF
  kinesin sql --stream ticker - <<'EOF'
  SELECT STREAM ticker, price, AVG(price) OVER (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING)
  FROM SOURCE_SQL_STREAM_001
  EOF
  kinesin sql --stream ticker --schema schema.json --explain 'SELECT STREAM * FROM SOURCE_SQL_STREAM_001'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := args[0]
			if text == "-" {
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return err
				}
				text = string(b)
			}
			err := a.runSQL(cmd.Context(), text, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if cmd.Context().Err() != nil {
				return nil // interrupted: the normal way to stop
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.stream, "stream", "", "stream to read (default: the one the query's FROM names)")
	f.StringVar(&o.from, "from", "latest", "where to start: latest, trim_horizon, an RFC 3339 time or a duration ago")
	f.StringVar(&o.schema, "schema", "", "JSON file with the input's SourceSchema (default: inferred from the first records)")
	f.IntVar(&o.sample, "sample", 10, "records to infer the schema from")
	f.DurationVar(&o.sampleWait, "sample-wait", 2*time.Second, "longest wait for --sample records once the first one arrived")
	f.StringVar(&o.format, "format", "text", "output format: text, json or csv")
	f.IntVar(&o.limit, "limit", 0, "stop after printing this many rows (0: run until interrupted)")
	f.BoolVar(&o.explain, "explain", false, "print the input columns and the application code, then exit")
	return cmd
}

// sqlQuery is the text of kinesin sql parsed: a bare query to wrap, or
// application code to run as it is.
type sqlQuery struct {
	text  string
	query parser.Query // nil for application code
	// stream is the stream named in FROM that the wrapped query reads in
	// place of SOURCE_SQL_STREAM_001 ("" when none).
	stream string
}

// parseSQL parses the text and finds the stream a bare query reads.
func parseSQL(text string) (*sqlQuery, error) {
	stmts, err := parser.Parse(text)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return nil, errors.New("the query is empty")
	}
	q := &sqlQuery{text: text}
	if len(stmts) == 1 {
		if query, ok := stmts[0].(parser.Query); ok {
			q.query = query
			q.stream = fromStream(text, query)
		}
	}
	return q, nil
}

// fromStream is the name of the first stream a FROM of the query names
// other than SOURCE_SQL_STREAM_001, as written (an unquoted name keeps the
// case it has in the text, since stream names are case-sensitive).
func fromStream(text string, q parser.Query) string {
	name := ""
	eachTableRef(q, func(t *parser.TableRef) {
		if name != "" || len(t.Name) != 1 || t.Name[0].Name == sqlInput {
			return
		}
		name = identText(text, t.Name[0])
	})
	return name
}

// identText is the identifier as the text writes it, without quotes.
func identText(text string, id parser.Ident) string {
	if id.Quoted {
		return id.Name
	}
	lines := strings.Split(text, "\n")
	if id.Line < 1 || id.Line > len(lines) {
		return id.Name
	}
	line := lines[id.Line-1]
	// Col counts characters from 1.
	start := 0
	for i := 1; i < id.Col && start < len(line); i++ {
		_, size := utf8.DecodeRuneInString(line[start:])
		start += size
	}
	if end := start + len(id.Name); end <= len(line) && strings.EqualFold(line[start:end], id.Name) {
		return line[start:end]
	}
	return id.Name
}

// eachTableRef calls f for every stream reference in the FROM clauses of q.
func eachTableRef(q parser.Query, f func(*parser.TableRef)) {
	var table func(t parser.TableExpr)
	table = func(t parser.TableExpr) {
		switch t := t.(type) {
		case *parser.TableRef:
			f(t)
		case *parser.Join:
			table(t.L)
			table(t.R)
		case *parser.DerivedTable:
			eachTableRef(t.Query, f)
		}
	}
	eachSelect(q, func(s *parser.Select) {
		if s.From != nil {
			table(s.From)
		}
	})
}

// eachSelect calls f for every SELECT of the query's set operations.
func eachSelect(q parser.Query, f func(*parser.Select)) {
	switch q := q.(type) {
	case *parser.Select:
		f(q)
	case *parser.SetOp:
		eachSelect(q.L, f)
		eachSelect(q.R, f)
	}
}

// wrap turns the query into application code: the stream it reads is
// SOURCE_SQL_STREAM_001, * stands for the record columns, and every
// column of the result is pumped as text into DESTINATION_SQL_STREAM.
// It answers the code and the names of the result columns.
func (q *sqlQuery) wrap(recordCols []engine.Column) (string, []string, error) {
	if q.query == nil {
		return q.text, nil, nil
	}
	// Parse again: the rewrite changes the tree.
	stmt, err := parser.ParseStmt(q.text)
	if err != nil {
		return "", nil, err
	}
	query := stmt.(parser.Query)
	inputs := map[string]bool{sqlInput: true}
	eachTableRef(query, func(t *parser.TableRef) {
		if len(t.Name) != 1 || t.Name[0].Name == sqlInput {
			if len(t.Name) == 1 && t.Alias == nil {
				alias := t.Name[0]
				t.Alias = &alias
			}
			return
		}
		if q.stream != "" && identText(q.text, t.Name[0]) == q.stream {
			if t.Alias == nil {
				alias := t.Name[0]
				t.Alias = &alias
			}
			t.Name = parser.ObjectName{{Pos: t.Name[0].Pos, Name: sqlInput, Quoted: true}}
		}
	})
	eachTableRef(query, func(t *parser.TableRef) {
		if len(t.Name) == 1 && t.Name[0].Name == sqlInput && t.Alias != nil {
			inputs[t.Alias.Name] = true
		}
	})
	var names []string
	var werr error
	first := true
	eachSelect(query, func(s *parser.Select) {
		s.Stream = true
		var items []parser.SelectItem
		for i, item := range s.Items {
			star, ok := item.Expr.(*parser.Star)
			if !ok {
				items = append(items, item)
				continue
			}
			if _, plain := s.From.(*parser.TableRef); !plain || (len(star.Qualifier) > 0 && !inputs[star.Qualifier[len(star.Qualifier)-1].Name]) {
				werr = fmt.Errorf("%d:%d: kinesin sql expands * only over the stream read (FROM one stream); list the columns of item %d", star.Line, star.Col, i+1)
				return
			}
			for _, c := range recordCols {
				ref := &parser.ColumnRef{Pos: star.Pos, Parts: append(append([]parser.Ident(nil), star.Qualifier...), parser.Ident{Pos: star.Pos, Name: c.Name, Quoted: true})}
				items = append(items, parser.SelectItem{Expr: ref})
			}
		}
		seen := map[string]int{}
		for i := range items {
			name := itemName(items[i], i)
			if first {
				if n := seen[name]; n > 0 || name == "ROWTIME" {
					name = fmt.Sprintf("%s_%d", name, n+1)
				}
				seen[name]++
				names = append(names, name)
			}
			items[i] = parser.SelectItem{
				Expr:  &parser.CastExpr{Pos: items[i].Expr.Position(), X: items[i].Expr, Type: parser.DataType{Name: "VARCHAR", Args: []int{sqlMaxVarchar}}},
				Alias: items[i].Alias,
			}
		}
		s.Items = items
		first = false
	})
	if werr != nil {
		return "", nil, werr
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE STREAM %q (", sqlOutput)
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s VARCHAR(%d)", quoteIdent(n), sqlMaxVarchar)
	}
	fmt.Fprintf(&b, ");\nCREATE OR REPLACE PUMP %q AS INSERT INTO %q\n%s;\n", sqlPump, sqlOutput, query.String())
	return b.String(), names, nil
}

// itemName is the column name of a select item: its alias, the name of
// the column it reads, or EXPR$i.
func itemName(item parser.SelectItem, i int) string {
	if item.Alias != nil {
		return item.Alias.Name
	}
	if c, ok := item.Expr.(*parser.ColumnRef); ok && len(c.Parts) > 0 {
		return c.Parts[len(c.Parts)-1].Name
	}
	return fmt.Sprintf("EXPR$%d", i)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// widenSchema makes a schema inferred from a few records fit later ones:
// VARCHAR(n) of at least 256, whole numbers BIGINT, REAL DOUBLE.
func widenSchema(s *katypes.SourceSchema) {
	for i := range s.RecordColumns {
		c := &s.RecordColumns[i]
		t := strings.ToUpper(strings.TrimSpace(aws.ToString(c.SqlType)))
		switch {
		case t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "INT":
			t = "BIGINT"
		case t == "REAL":
			t = "DOUBLE"
		case strings.HasPrefix(t, "VARCHAR("):
			var n int
			if _, err := fmt.Sscanf(t, "VARCHAR(%d)", &n); err == nil && n < 256 {
				t = "VARCHAR(256)"
			}
		}
		c.SqlType = aws.String(t)
	}
}

// toSourceSchema converts discovery's answer to the SDK's shape.
func toSourceSchema(s *discover.SourceSchema) *katypes.SourceSchema {
	out := &katypes.SourceSchema{RecordEncoding: s.RecordEncoding}
	for _, c := range s.RecordColumns {
		out.RecordColumns = append(out.RecordColumns, katypes.RecordColumn{Name: aws.String(c.Name), SqlType: aws.String(c.SqlType), Mapping: c.Mapping})
	}
	if f := s.RecordFormat; f != nil {
		out.RecordFormat = &katypes.RecordFormat{RecordFormatType: katypes.RecordFormatType(f.RecordFormatType)}
		if mp := f.MappingParameters; mp != nil {
			out.RecordFormat.MappingParameters = &katypes.MappingParameters{}
			if j := mp.JSONMappingParameters; j != nil {
				out.RecordFormat.MappingParameters.JSONMappingParameters = &katypes.JSONMappingParameters{RecordRowPath: aws.String(j.RecordRowPath)}
			}
			if c := mp.CSVMappingParameters; c != nil {
				out.RecordFormat.MappingParameters.CSVMappingParameters = &katypes.CSVMappingParameters{
					RecordColumnDelimiter: aws.String(c.RecordColumnDelimiter), RecordRowDelimiter: aws.String(c.RecordRowDelimiter),
				}
			}
		}
	}
	return out
}

// shardBatch is one GetRecords page of a shard.
type shardBatch struct {
	shard   string
	records []types.Record
}

// sqlRun is one kinesin sql run: the program, its instance and where rows
// go. One goroutine owns it.
type sqlRun struct {
	o       sqlOpts
	q       *sqlQuery
	stream  string
	stdout  io.Writer
	stderr  io.Writer
	schema  *katypes.SourceSchema
	parser  *records.Parser
	prog    *engine.Program
	inst    *engine.Instance
	printer *rowPrinter
	last    int64 // last ROWTIME pushed
	printed int
	badRecs int
	done    bool // --limit reached
}

func (a *app) runSQL(ctx context.Context, text string, o sqlOpts, stdout, stderr io.Writer) error {
	switch o.format {
	case "text", "json", "csv":
	default:
		return fmt.Errorf("--format must be text, json or csv, not %q", o.format)
	}
	if o.sample < 1 {
		return errors.New("--sample must be at least 1")
	}
	start, err := parseFrom(o.from, time.Now())
	if err != nil {
		return err
	}
	q, err := parseSQL(text)
	if err != nil {
		return fmt.Errorf("the query: %w", err)
	}
	r := &sqlRun{o: o, q: q, stream: o.stream, stdout: stdout, stderr: stderr}
	if r.stream == "" {
		r.stream = q.stream
	}
	if r.stream == "" {
		return errors.New("which stream? give --stream, or name it in the query: FROM \"orders\"")
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	if _, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(r.stream)}); err != nil {
		return fmt.Errorf("stream %s: %w", r.stream, err)
	}
	if o.schema != "" {
		data, err := os.ReadFile(o.schema)
		if err != nil {
			return fmt.Errorf("--schema: %w", err)
		}
		s, err := readSchema(data)
		if err != nil {
			return fmt.Errorf("--schema %s: %w", o.schema, err)
		}
		if err := r.compile(s); err != nil {
			return err
		}
		if o.explain {
			return r.explain()
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan shardBatch)
	t := &tailer{
		c:      c,
		stream: r.stream,
		start:  start,
		emit: func(shard string, recs []types.Record) error {
			select {
			case batches <- shardBatch{shard, recs}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		pollIdle:  250 * time.Millisecond,
		listEvery: time.Second,
		info:      func(string, ...any) {},
	}
	tailErr := make(chan error, 1)
	go func() { tailErr <- t.run(ctx) }()

	var (
		pending  []shardBatch
		sampled  int
		deadline <-chan time.Time
	)
	if r.prog == nil {
		fmt.Fprintf(stderr, "kinesin sql: inferring the schema of %s from its first %d records (from %s)…\n", r.stream, o.sample, o.from)
	}
	tick := time.NewTicker(o.advanceEvery)
	defer tick.Stop()
	startSampled := func() error {
		var raw [][]byte
		for _, b := range pending {
			for _, rec := range b.records {
				raw = append(raw, rec.Data)
			}
		}
		res, err := discover.Discover(raw, discover.Options{})
		if err != nil {
			return fmt.Errorf("inferring the schema of %s from %d records (give --schema): %w", r.stream, len(raw), err)
		}
		s := toSourceSchema(res.InputSchema)
		widenSchema(s)
		if err := r.compile(s); err != nil {
			return err
		}
		if o.explain {
			return r.explain()
		}
		for _, b := range pending {
			if err := r.push(b); err != nil {
				return err
			}
		}
		pending = nil
		return nil
	}
	for !r.done {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-tailErr:
			return err
		case b := <-batches:
			if r.prog != nil {
				if err := r.push(b); err != nil {
					return err
				}
				continue
			}
			pending = append(pending, b)
			sampled += len(b.records)
			if deadline == nil && sampled > 0 {
				deadline = time.After(o.sampleWait)
			}
			if sampled >= o.sample {
				if err := startSampled(); err != nil || o.explain {
					return err
				}
			}
		case <-deadline:
			if r.prog == nil {
				if err := startSampled(); err != nil || o.explain {
					return err
				}
			}
		case now := <-tick.C:
			if r.inst != nil {
				if err := r.inst.Advance(now.UnixMilli()); err != nil {
					return fmt.Errorf("running the query: %w", err)
				}
			}
		}
	}
	return nil
}

// compile builds the program for the input schema s and starts it.
func (r *sqlRun) compile(s *katypes.SourceSchema) error {
	p, err := records.NewParser(*s)
	if err != nil {
		return fmt.Errorf("the input schema: %w", err)
	}
	recordCols := p.Columns()
	code, names, err := r.q.wrap(recordCols)
	if err != nil {
		return err
	}
	// The record's columns, then the metadata columns an application's
	// host adds to a Kinesis stream input.
	cols := host.InputColumns(recordCols, true)
	prog, err := engine.Compile(code, engine.Options{Inputs: []engine.Input{{Name: sqlInput, Columns: cols}}})
	if err != nil {
		if r.q.query != nil {
			return fmt.Errorf("the query (as the application code --explain prints): %w", err)
		}
		return fmt.Errorf("the application code: %w", err)
	}
	r.schema, r.parser, r.prog = s, p, prog
	r.printer = newRowPrinter(r.stdout, r.o.format)
	for _, st := range prog.Streams() {
		if st.Name == sqlInput || st.Name == sqlErrors || isInputStream(st.Name) {
			continue
		}
		header := make([]string, len(st.Columns))
		for i, c := range st.Columns {
			header[i] = c.Name
		}
		if r.q.query != nil && st.Name == sqlOutput && len(names) == len(header) {
			header = names
		}
		r.printer.streams = append(r.printer.streams, st.Name)
		r.printer.headers[st.Name] = header
	}
	if r.o.explain {
		return nil
	}
	inst, err := prog.Start(nil, r.emit)
	if err != nil {
		return fmt.Errorf("starting the query: %w", err)
	}
	r.inst = inst
	return r.printer.start()
}

func isInputStream(name string) bool { return strings.HasPrefix(name, "SOURCE_SQL_STREAM_") }

// explain prints the input columns and the application code.
func (r *sqlRun) explain() error {
	var b strings.Builder
	fmt.Fprintf(&b, "-- input %s: stream %s, %s records\n", sqlInput, r.stream, formatOf(r.schema))
	for _, c := range r.schema.RecordColumns {
		m := ""
		if aws.ToString(c.Mapping) != "" {
			m = " ← " + aws.ToString(c.Mapping)
		}
		fmt.Fprintf(&b, "--   %s %s%s\n", aws.ToString(c.Name), aws.ToString(c.SqlType), m)
	}
	recordCols := r.parser.Columns()
	for _, c := range host.InputColumns(recordCols, true)[len(recordCols):] {
		fmt.Fprintf(&b, "--   %s %s (kinesin)\n", c.Name, c.Type)
	}
	code, _, err := r.q.wrap(recordCols)
	if err != nil {
		return err
	}
	b.WriteString(code)
	if !strings.HasSuffix(code, "\n") {
		b.WriteByte('\n')
	}
	_, err = io.WriteString(r.stdout, b.String())
	return err
}

// push parses a shard's records and feeds their rows to the instance.
// ROWTIME is the wall clock, kept from going backwards.
func (r *sqlRun) push(b shardBatch) error {
	for _, rec := range b.records {
		if r.done {
			return nil
		}
		now := max(time.Now().UnixMilli(), r.last)
		r.last = now
		arrival := eval.Value{}
		if t := rec.ApproximateArrivalTimestamp; t != nil {
			arrival = eval.TimestampValue(*t)
		}
		meta := []eval.Value{arrival, eval.Str(aws.ToString(rec.PartitionKey)), eval.Str(aws.ToString(rec.SequenceNumber)), eval.Str(b.shard)}
		var pushErr error
		err := r.parser.Parse(rec.Data, func(row eval.Row) error {
			full := make(eval.Row, 0, len(row)+len(meta))
			full = append(append(full, row...), meta...)
			pushErr = r.inst.Push(0, engine.Row{Time: now, Values: full})
			return pushErr
		})
		if pushErr != nil {
			return fmt.Errorf("running the query: %w", pushErr)
		}
		if err != nil {
			// A record that does not parse is AWS's error_stream row; the
			// query goes on.
			r.badRecs++
			switch {
			case r.badRecs <= 10:
				fmt.Fprintf(r.stderr, "kinesin sql: %s %s: %v\n", b.shard, aws.ToString(rec.SequenceNumber), err)
			case r.badRecs == 11:
				fmt.Fprintln(r.stderr, "kinesin sql: more records do not parse; not reporting them")
			}
		}
	}
	return nil
}

// emit prints the rows of the printed streams and reports error_stream.
func (r *sqlRun) emit(stream string, row engine.Row) error {
	if r.done {
		return nil
	}
	if stream == sqlErrors {
		vals := make([]string, len(row.Values))
		for i, v := range row.Values {
			vals[i] = v.String()
		}
		fmt.Fprintf(r.stderr, "kinesin sql: error_stream: %s\n", strings.Join(vals, " | "))
		return nil
	}
	if _, ok := r.printer.headers[stream]; !ok {
		return nil
	}
	if err := r.printer.print(stream, row); err != nil {
		return err
	}
	r.printed++
	if r.o.limit > 0 && r.printed >= r.o.limit {
		r.done = true
	}
	return nil
}

// rowPrinter writes rows of in-application streams as they come.
type rowPrinter struct {
	w       io.Writer
	format  string
	streams []string
	headers map[string][]string
	widths  map[string][]int
	started map[string]bool
}

func newRowPrinter(w io.Writer, format string) *rowPrinter {
	return &rowPrinter{w: w, format: format, headers: map[string][]string{}, widths: map[string][]int{}, started: map[string]bool{}}
}

func (p *rowPrinter) multi() bool { return len(p.streams) > 1 }

// start prints the header of a single printed stream right away, so the
// columns show before the first row does.
func (p *rowPrinter) start() error {
	if p.multi() || len(p.streams) == 0 {
		return nil
	}
	return p.header(p.streams[0])
}

func (p *rowPrinter) header(stream string) error {
	if p.started[stream] {
		return nil
	}
	p.started[stream] = true
	cols := append([]string{"ROWTIME"}, p.headers[stream]...)
	switch p.format {
	case "text":
		w := make([]int, len(cols))
		for i, c := range cols {
			// Room for the usual number or word, so that rows line up
			// although their values come after the header.
			w[i] = max(utf8.RuneCountInString(c), 8)
		}
		w[0] = len("2006-01-02 15:04:05.000")
		p.widths[stream] = w
		return p.line(stream, cols)
	case "csv":
		return p.line(stream, cols)
	}
	return nil
}

func (p *rowPrinter) print(stream string, row engine.Row) error {
	if err := p.header(stream); err != nil {
		return err
	}
	rowtime := eval.TimestampMillis(row.Time)
	if p.format == "json" {
		var b strings.Builder
		b.WriteByte('{')
		if p.multi() {
			fmt.Fprintf(&b, `"STREAM":%s,`, jsonString(stream))
		}
		fmt.Fprintf(&b, `"ROWTIME":%s`, jsonString(rowtime.String()))
		for i, name := range p.headers[stream] {
			v := eval.Value{}
			if i < len(row.Values) {
				v = row.Values[i]
			}
			fmt.Fprintf(&b, ",%s:%s", jsonString(name), jsonValue(v))
		}
		b.WriteString("}\n")
		_, err := io.WriteString(p.w, b.String())
		return err
	}
	vals := []string{rowtime.String()}
	for _, v := range row.Values {
		vals = append(vals, v.String())
	}
	return p.line(stream, vals)
}

// line writes one header or row: aligned text (columns grow as wider
// values come) or CSV.
func (p *rowPrinter) line(stream string, vals []string) error {
	var b strings.Builder
	if p.multi() {
		b.WriteString(stream)
		if p.format == "csv" {
			b.WriteByte(',')
		} else {
			b.WriteString(": ")
		}
	}
	for i, v := range vals {
		if p.format == "csv" {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvField(v))
			continue
		}
		v = printable(v)
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(v)
		w := p.widths[stream]
		if i >= len(w) {
			continue
		}
		n := utf8.RuneCountInString(v)
		if n > w[i] {
			w[i] = n
		}
		if i < len(vals)-1 {
			b.WriteString(strings.Repeat(" ", w[i]-n))
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(p.w, b.String())
	return err
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jsonValue renders a SQL value as JSON: numbers and booleans as such,
// NULL as null, everything else as its text.
func jsonValue(v eval.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case v.Kind == eval.Boolean:
		if v.Bool() {
			return "true"
		}
		return "false"
	case v.Kind.IsInteger():
		return fmt.Sprint(v.I)
	case v.Kind == eval.Real || v.Kind == eval.Double:
		if f := v.Float(); !math.IsInf(f, 0) && !math.IsNaN(f) {
			b, _ := json.Marshal(f)
			return string(b)
		}
	case v.Kind == eval.Decimal:
		return v.String()
	}
	return jsonString(v.String())
}

package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// sqlDocsPath is the SQL reference whose examples TestSQLDocs runs.
var sqlDocsPath = filepath.Join("..", "..", "..", "docs", "sql.md")

// docExample is a ```sql block of docs/sql.md and the ```text block after it.
type docExample struct {
	line       int      // 1-based line of the ```sql fence
	sql        []string // the code
	text       []string // the rest of a golden script: input, reference, advance, restart, expect sections
	textFrom   int      // 0-based index of the first line of text in the file
	textBefore int      // 0-based index of the text block's closing fence
}

// docExamples finds every ```sql block of a Markdown document and the
// ```text block that must follow it (only blank lines between them).
func docExamples(doc string) ([]docExample, error) {
	lines := strings.Split(doc, "\n")
	type block struct {
		lang        string
		open, close int // fence lines
	}
	var blocks []block
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "```") {
			continue
		}
		b := block{lang: strings.TrimSpace(strings.TrimPrefix(l, "```")), open: i, close: -1}
		for j := i + 1; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "```" {
				b.close = j
				break
			}
		}
		if b.close < 0 {
			return nil, fmt.Errorf("line %d: code block not closed", i+1)
		}
		blocks = append(blocks, b)
		i = b.close
	}
	var out []docExample
	for k, b := range blocks {
		if b.lang != "sql" {
			continue
		}
		if k+1 == len(blocks) || blocks[k+1].lang != "text" {
			return nil, fmt.Errorf("line %d: a ```sql block must be followed by a ```text block with its input and expected output", b.open+1)
		}
		t := blocks[k+1]
		for j := b.close + 1; j < t.open; j++ {
			if strings.TrimSpace(lines[j]) != "" {
				return nil, fmt.Errorf("line %d: only blank lines may separate a ```sql block from its ```text block", j+1)
			}
		}
		out = append(out, docExample{
			line:       b.open + 1,
			sql:        lines[b.open+1 : b.close],
			text:       lines[t.open+1 : t.close],
			textFrom:   t.open + 1,
			textBefore: t.close,
		})
	}
	return out, nil
}

// script makes the golden script of an example.
func (ex docExample) script() string {
	var b strings.Builder
	b.WriteString("=== code\n")
	for _, l := range ex.sql {
		b.WriteString(l + "\n")
	}
	for _, l := range ex.text {
		b.WriteString(l + "\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// TestSQLDocs runs every example of docs/sql.md: each ```sql block is the
// code section of a golden script (see the package doc) and the ```text
// block after it the script's other sections, whose expect sections must
// be what the engine emits. go test ./runtime/sql/engine -run TestSQLDocs
// -update rewrites the ```text blocks.
func TestSQLDocs(t *testing.T) {
	src, err := os.ReadFile(sqlDocsPath)
	if err != nil {
		t.Fatal(err)
	}
	examples, err := docExamples(string(src))
	if err != nil {
		t.Fatalf("%s: %v", sqlDocsPath, err)
	}
	if len(examples) == 0 {
		t.Fatalf("%s has no examples", sqlDocsPath)
	}
	lines := strings.Split(string(src), "\n")
	changed := false
	// Rewrite from the last example back so earlier indexes stay valid.
	for k := len(examples) - 1; k >= 0; k-- {
		ex := examples[k]
		script := ex.script()
		if !strings.Contains(script, "=== expect") {
			t.Errorf("%s:%d: the example's text block has no expect section", sqlDocsPath, ex.line)
			continue
		}
		var got string
		var err error
		if strings.Contains(strings.ToUpper(strings.Join(ex.sql, "\n")), "LANGUAGE WASM") {
			got, err = runDocScript(script, docExternal)
		} else {
			got, err = runScript(script)
		}
		if err != nil {
			t.Errorf("%s:%d: %v", sqlDocsPath, ex.line, err)
			continue
		}
		if strings.Contains(script, "=== restart\n") {
			// A restart from a checkpoint must not change the rows.
			plain, err := runScript(strings.ReplaceAll(script, "=== restart\n", ""))
			if err != nil {
				t.Errorf("%s:%d: without restarts: %v", sqlDocsPath, ex.line, err)
			} else if want := strings.ReplaceAll(got, "=== restart\n", ""); plain != want {
				t.Errorf("%s:%d: restarts change the output:\n%s", sqlDocsPath, ex.line, diff(plain, want))
			}
		}
		if got == script {
			continue
		}
		if *update {
			text := strings.Split(strings.TrimRight(strings.TrimPrefix(got, "=== code\n"+strings.Join(ex.sql, "\n")+"\n"), "\n"), "\n")
			lines = append(lines[:ex.textFrom], append(text, lines[ex.textBefore:]...)...)
			changed = true
			continue
		}
		t.Errorf("%s:%d: the example's output differs (go test ./runtime/sql/engine -run TestSQLDocs -update rewrites it):\n%s", sqlDocsPath, ex.line, diff(script, got))
	}
	if changed {
		if err := os.WriteFile(sqlDocsPath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDocExamplesPairing checks the pairing rules of docExamples.
func TestDocExamplesPairing(t *testing.T) {
	tests := []struct {
		name, doc string
		n         int
		err       string
	}{
		{"pair", "x\n```sql\nSELECT 1;\n```\n\n```text\n=== expect Q\n```\n", 1, ""},
		{"no text", "```sql\nSELECT 1;\n```\n", 0, "must be followed"},
		{"prose between", "```sql\nSELECT 1;\n```\nhello\n```text\n```\n", 0, "only blank lines"},
		{"json after", "```sql\nS;\n```\n```json\n{}\n```\n", 0, "must be followed"},
		{"unclosed", "```sql\nS;\n", 0, "not closed"},
		{"other blocks", "```sh\nls\n```\n```text\nx\n```\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := docExamples(tt.doc)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(ex) != tt.n {
				t.Fatalf("got %d examples, %v; want %d", len(ex), err, tt.n)
			}
		})
	}
}

// docExternal stands in for the kinesin functions the doc's LANGUAGE WASM
// examples call (the functions runtime is tested in runtime/sql/udf and
// examples/sql-udf): geohash(lat, lon, chars).
func docExternal(function string, params []eval.Type, returns eval.Type) (*eval.Func, error) {
	if function != "geohash" {
		return nil, fmt.Errorf("function %s not found", function)
	}
	return &eval.Func{Params: params, Returns: returns, Call: func(args []eval.Value) (eval.Value, error) {
		for _, a := range args {
			if a.IsNull() {
				return eval.Value{}, nil
			}
		}
		var f [3]float64
		for i := range f {
			v, err := eval.Cast(args[i], eval.Type{Kind: eval.Double})
			if err != nil {
				return eval.Value{}, err
			}
			f[i] = v.F
		}
		lat, lon, n := f[0], f[1], int(f[2])
		if lat < -90 || lat > 90 {
			return eval.Value{}, fmt.Errorf("latitude %g is not within [-90, 90]", lat)
		}
		// Bits alternate longitude and latitude, halving each range;
		// every 5 bits are one base-32 character.
		const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"
		lo, hi, p := [2]float64{-180, -90}, [2]float64{180, 90}, [2]float64{lon, lat}
		out := make([]byte, n)
		for bit := 0; bit < 5*n; bit++ {
			d := bit % 2
			mid := (lo[d] + hi[d]) / 2
			if p[d] >= mid {
				out[bit/5] |= 1 << (4 - bit%5)
				lo[d] = mid
			} else {
				hi[d] = mid
			}
		}
		for i := range out {
			out[i] = base32[out[i]]
		}
		return eval.Str(string(out)), nil
	}}, nil
}

// runDocScript runs a script like runScript with the inputs, advances and
// expect sections only, for code that needs Options.External.
func runDocScript(src string, external func(string, []eval.Type, eval.Type) (*eval.Func, error)) (string, error) {
	secs := parseScript(src)
	var code string
	var inputs []Input
	idx := map[string]int{}
	for _, s := range secs {
		switch s.kind {
		case "code":
			code = strings.Join(s.body, "\n")
		case "input":
			if _, ok := idx[s.arg]; ok || len(s.body) == 0 {
				continue
			}
			cols, err := parseColumns(s.body[0])
			if err != nil {
				return "", err
			}
			idx[s.arg] = len(inputs)
			inputs = append(inputs, Input{Name: s.arg, Columns: cols})
		case "expect", "advance", "#":
		default:
			return "", fmt.Errorf("section %s is not supported with LANGUAGE WASM examples", s.kind)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prog, err := Compile(code, Options{Inputs: inputs, External: external, Now: func() time.Time { return now }})
	if err != nil {
		return "", err
	}
	outputs := map[string][]string{}
	inst, err := prog.Start(nil, func(stream string, r Row) error {
		f := []string{eval.TimestampMillis(r.Time).String()}
		for _, v := range r.Values {
			f = append(f, v.String())
		}
		outputs[stream] = append(outputs[stream], strings.Join(f, " | "))
		return nil
	})
	if err != nil {
		return "", err
	}
	for _, s := range secs {
		switch s.kind {
		case "input":
			for _, line := range s.body[1:] {
				if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
					continue
				}
				f := strings.Split(line, "|")
				ts, err := parseTime(f[0])
				if err != nil {
					return "", err
				}
				row, err := parseValues(f[1:], inputs[idx[s.arg]].Columns)
				if err != nil {
					return "", err
				}
				if err := inst.Push(idx[s.arg], Row{Time: ts, Values: row}); err != nil {
					return "", err
				}
			}
		case "advance":
			ts, err := parseTime(s.arg)
			if err != nil {
				return "", err
			}
			if err := inst.Advance(ts); err != nil {
				return "", err
			}
		}
	}
	// Print the script back, expect sections with every row emitted.
	var out strings.Builder
	for _, s := range secs {
		if s.kind == "#" {
			out.WriteString(strings.Join(s.body, "\n") + "\n")
			continue
		}
		out.WriteString(strings.TrimSpace("=== "+s.kind+" "+s.arg) + "\n")
		if s.kind != "expect" {
			for _, l := range s.body {
				out.WriteString(l + "\n")
			}
			continue
		}
		h := []string{"ROWTIME"}
		for _, st := range prog.Streams() {
			if st.Name == s.arg {
				for _, c := range st.Columns {
					h = append(h, c.Name)
				}
			}
		}
		out.WriteString(strings.Join(h, " | ") + "\n")
		for _, l := range outputs[s.arg] {
			out.WriteString(l + "\n")
		}
	}
	return out.String(), nil
}

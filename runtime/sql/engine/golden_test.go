package engine

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
)

var update = flag.Bool("update", false, "rewrite the expect sections of testdata/**/*.txt")

// TestGolden runs every script under testdata (see the package doc for the format).
func TestGolden(t *testing.T) {
	var files []string
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".txt") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(f), "testdata/"), ".txt"), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := runScript(string(src))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(src), "=== restart") {
				// The same script without restarts must give the same rows.
				plain := strings.ReplaceAll(string(src), "=== restart\n", "")
				again, err := runScript(plain)
				if err != nil {
					t.Fatal(err)
				}
				if again != strings.ReplaceAll(got, "=== restart\n", "") {
					t.Errorf("restarts change the output:\n%s", diff(again, strings.ReplaceAll(got, "=== restart\n", "")))
				}
			}
			if got == string(src) {
				return
			}
			if *update {
				if err := os.WriteFile(f, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			t.Errorf("%s differs (go test ./runtime/sql/engine -update rewrites it):\n%s", f, diff(string(src), got))
		})
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, x, y)
		}
	}
	return b.String()
}

type section struct {
	kind, arg string
	header    string // the line after === (for expect)
	body      []string
}

func parseScript(src string) []*section {
	var secs []*section
	var cur *section
	for _, line := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		if strings.HasPrefix(line, "=== ") {
			f := strings.Fields(strings.TrimPrefix(line, "=== "))
			cur = &section{kind: f[0]}
			if len(f) > 1 {
				cur.arg = strings.Join(f[1:], " ")
			}
			secs = append(secs, cur)
			continue
		}
		if cur == nil {
			secs = append(secs, &section{kind: "#", body: []string{line}})
			continue
		}
		cur.body = append(cur.body, line)
	}
	return secs
}

func parseTime(s string) (int64, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, fmt.Errorf("bad time %q", s)
}

// parseColumns reads "NAME TYPE, NAME TYPE(n), ...".
func parseColumns(line string) ([]Column, error) {
	st, err := parser.ParseStmt("CREATE STREAM x (" + line + ")")
	if err != nil {
		return nil, fmt.Errorf("columns %q: %v", line, err)
	}
	var cols []Column
	for _, c := range st.(*parser.CreateStream).Columns {
		t, err := eval.TypeOf(c.Type.Name, c.Type.Args)
		if err != nil {
			return nil, err
		}
		cols = append(cols, Column{Name: c.Name.Name, Type: t})
	}
	return cols, nil
}

func parseValues(fields []string, cols []Column) (eval.Row, error) {
	if len(fields) != len(cols) {
		return nil, fmt.Errorf("%d values for %d columns", len(fields), len(cols))
	}
	row := make(eval.Row, len(cols))
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if f == "NULL" {
			continue
		}
		v, err := eval.Cast(eval.Str(f), cols[i].Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", cols[i].Name, err)
		}
		row[i] = v
	}
	return row, nil
}

// runScript runs a script and answers it with its expect sections rewritten.
func runScript(src string) (string, error) {
	secs := parseScript(src)
	var code string
	var inputs []Input
	inputIdx := map[string]int{}
	var refs []Reference
	for _, s := range secs {
		switch s.kind {
		case "code":
			code = strings.Join(s.body, "\n")
		case "input":
			if _, ok := inputIdx[s.arg]; ok {
				continue
			}
			if len(s.body) == 0 {
				return "", fmt.Errorf("input %s: no column line", s.arg)
			}
			cols, err := parseColumns(s.body[0])
			if err != nil {
				return "", err
			}
			inputIdx[s.arg] = len(inputs)
			inputs = append(inputs, Input{Name: s.arg, Columns: cols})
		case "reference":
			cols, err := parseColumns(s.body[0])
			if err != nil {
				return "", err
			}
			r := Reference{Name: s.arg, Columns: cols}
			for _, line := range s.body[1:] {
				if strings.TrimSpace(line) == "" {
					continue
				}
				row, err := parseValues(strings.Split(line, "|"), cols)
				if err != nil {
					return "", fmt.Errorf("reference %s: %v", s.arg, err)
				}
				r.Rows = append(r.Rows, row)
			}
			refs = append(refs, r)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := Options{Inputs: inputs, References: refs, Now: func() time.Time { return now }}
	prog, cerr := Compile(code, opts)
	outputs := map[string][]string{}
	emit := func(stream string, r Row) error {
		var b strings.Builder
		b.WriteString(eval.TimestampMillis(r.Time).String())
		for _, v := range r.Values {
			b.WriteString(" | ")
			b.WriteString(v.String())
		}
		outputs[stream] = append(outputs[stream], b.String())
		return nil
	}
	var inst *Instance
	var runErr error
	if cerr == nil {
		inst, runErr = prog.Start(nil, emit)
	}
	soFar := map[*section]int{}
	for _, s := range secs {
		if inst == nil || runErr != nil {
			break
		}
		switch s.kind {
		case "expect-so-far":
			soFar[s] = len(outputs[s.arg])
		case "input":
			cols := inputs[inputIdx[s.arg]].Columns
			for _, line := range s.body[1:] {
				if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
					continue
				}
				f := strings.Split(line, "|")
				ts, err := parseTime(f[0])
				if err != nil {
					return "", err
				}
				row, err := parseValues(f[1:], cols)
				if err != nil {
					return "", fmt.Errorf("input %s: %q: %v", s.arg, line, err)
				}
				if err := inst.Push(inputIdx[s.arg], Row{Time: ts, Values: row}); err != nil {
					runErr = err
				}
			}
		case "advance":
			ts, err := parseTime(s.arg)
			if err != nil {
				return "", err
			}
			if err := inst.Advance(ts); err != nil {
				runErr = err
			}
		case "restart":
			snap, err := inst.Snapshot()
			if err != nil {
				return "", err
			}
			inst, err = prog.Start(snap, emit)
			if err != nil {
				return "", fmt.Errorf("restart: %w", err)
			}
		}
	}
	var out strings.Builder
	for _, s := range secs {
		if s.kind == "#" {
			out.WriteString(strings.Join(s.body, "\n") + "\n")
			continue
		}
		out.WriteString("=== " + s.kind)
		if s.arg != "" {
			out.WriteString(" " + s.arg)
		}
		out.WriteString("\n")
		switch s.kind {
		case "expect", "expect-so-far":
			var cols []Column
			if prog != nil {
				for _, st := range prog.Streams() {
					if st.Name == s.arg {
						cols = st.Columns
					}
				}
			}
			h := []string{"ROWTIME"}
			for _, c := range cols {
				h = append(h, c.Name)
			}
			out.WriteString(strings.Join(h, " | ") + "\n")
			rows := outputs[s.arg]
			if n, ok := soFar[s]; ok {
				rows = rows[:n]
			}
			for _, l := range rows {
				out.WriteString(l + "\n")
			}
			continue
		case "expect-error":
			if cerr != nil {
				out.WriteString(cerr.Error() + "\n")
			} else if runErr != nil {
				out.WriteString(runErr.Error() + "\n")
			} else {
				out.WriteString("(no error)\n")
			}
			continue
		}
		for _, l := range s.body {
			out.WriteString(l + "\n")
		}
	}
	if runErr != nil && !strings.Contains(src, "=== expect-error") {
		return "", runErr
	}
	if cerr != nil && !strings.Contains(src, "=== expect-error") {
		var ce *CompileError
		if errors.As(cerr, &ce) {
			return "", cerr
		}
		return "", cerr
	}
	return out.String(), nil
}

package pipeline

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and docs/pipeline.md")

// TestParse is a table test whose rows are the files in testdata/parse: each
// NAME.yaml is parsed and the result (the file with defaults filled in, or
// every error) is compared with NAME.golden.
func TestParse(t *testing.T) {
	inputs, err := filepath.Glob("testdata/parse/*.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(filepath.Base(in), data)
			got := render(f, err)
			golden(t, strings.TrimSuffix(in, ".yaml")+".golden", got)
		})
	}
}

// render prints a parse result in a stable, reviewable form.
func render(f *File, err error) []byte {
	var b bytes.Buffer
	if err != nil {
		var es Errors
		if !errors.As(err, &es) {
			fmt.Fprintf(&b, "unexpected error type %T: %v\n", err, err)
			return b.Bytes()
		}
		if f != nil {
			b.WriteString("BUG: a File came back with errors\n")
		}
		fmt.Fprintf(&b, "%d error(s):\n%s\n", len(es), es.Error())
		return b.Bytes()
	}
	fmt.Fprintf(&b, "ok: %d stream(s), %d function(s)", len(f.Streams), len(f.Functions))
	if len(f.Mappings) > 0 {
		fmt.Fprintf(&b, ", %d mapping(s)", len(f.Mappings))
	}
	if len(f.DeliveryStreams) > 0 {
		fmt.Fprintf(&b, ", %d delivery stream(s)", len(f.DeliveryStreams))
	}
	b.WriteString("\n")
	for _, s := range f.Streams {
		fmt.Fprintf(&b, "stream %q line=%d mode=%s shards=%d retention_hours=%d tags={", s.Name, s.Line, s.Mode, s.Shards, s.RetentionHours)
		for i, k := range slices.Sorted(maps.Keys(s.Tags)) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: %q", k, s.Tags[k])
		}
		b.WriteString("}\n")
		if s.Tags == nil {
			b.WriteString("BUG: nil Tags\n")
		}
	}
	for _, fn := range f.Functions {
		conc := "unreserved"
		if fn.Concurrency != nil {
			conc = fmt.Sprint(*fn.Concurrency)
		}
		fmt.Fprintf(&b, "function %q line=%d runtime=%s path=%q handler=%q timeout=%d memory=%d concurrency=%s environment=",
			fn.Name, fn.Line, fn.Runtime, filepath.ToSlash(fn.Path), fn.Handler, fn.Timeout, fn.Memory, conc)
		writeMap(&b, fn.Environment)
		b.WriteString("\n")
		if fn.Environment == nil {
			b.WriteString("BUG: nil Environment\n")
		}
	}
	renderMappings(&b, f.Mappings)
	renderDeliveryStreams(&b, f.DeliveryStreams)
	renderApplications(&b, f.Applications)
	renderVideoStreams(&b, f.VideoStreams)
	return b.Bytes()
}

func writeMap(b *bytes.Buffer, m map[string]string) {
	b.WriteString("{")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%q: %q", k, m[k])
	}
	b.WriteString("}")
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestParseErrorShape pins the exact format promised to users and the
// properties the golden files only show: every problem at once, in line
// order, each an *Error reachable with errors.As.
func TestParseErrorShape(t *testing.T) {
	src := "streams:\n  - name: a\n    shards: 0\n  - name: b\n    retention_hours: 1\nvideo_streams: [{name: c, retention_hours: -1}]\n"
	_, err := Parse("p.yaml", []byte(src))
	want := []string{
		"p.yaml:3: streams[0].shards: must be at least 1",
		"p.yaml:5: streams[1].retention_hours: must be at least 24",
		"p.yaml:6: video_streams[0].retention_hours: must be at least 0",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
	var one *Error
	if !errors.As(err, &one) || one.Line != 3 || one.Path != "streams[0].shards" {
		t.Errorf("errors.As(*Error) = %+v", one)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte("streams:\n  - name: a\n    shards: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":3: streams[0].shards:") {
		t.Errorf("Load error = %v, want it to name the file and line", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

func TestScaleStep(t *testing.T) {
	for _, c := range []struct{ cur, target, want int }{
		{1, 1, 1},
		{1, 2, 2},
		{1, 8, 2},
		{3, 5, 5},
		{3, 7, 6},
		{8, 1, 4},
		{5, 1, 3},
		{3, 2, 2},
		{2, 1, 1},
		{0, 4, 4},
	} {
		if got := scaleStep(c.cur, c.target); got != c.want {
			t.Errorf("scaleStep(%d, %d) = %d, want %d", c.cur, c.target, got, c.want)
		}
	}
}

// TestSpec checks the declarations themselves: defaults must pass their
// own validation, and every field must be documented.
func TestSpec(t *testing.T) {
	for _, s := range Sections() {
		if s.Doc == "" {
			t.Errorf("section %s has no Doc", s.Name)
		}
		for _, f := range s.Fields {
			if f.Doc == "" {
				t.Errorf("%s.%s has no Doc", s.Name, f.Name)
			}
			if f.Default == nil {
				continue
			}
			if f.Type == Enum && !slices.Contains(f.Enum, f.Default.(string)) {
				t.Errorf("%s.%s: default %v is not in the enum", s.Name, f.Name, f.Default)
			}
			for _, c := range f.Checks {
				if msg := c.fn(f.Default); msg != "" {
					t.Errorf("%s.%s: default %v fails its own check: %s", s.Name, f.Name, f.Default, msg)
				}
			}
		}
	}
}

// TestDoc keeps docs/pipeline.md equal to Markdown(); go generate (or
// go test -update) rewrites it.
func TestDoc(t *testing.T) {
	golden(t, filepath.Join("..", "..", filepath.FromSlash(DocPath)), Markdown())
}

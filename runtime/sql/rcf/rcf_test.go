package rcf

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func sine(i int) float64 { return 10 * math.Sin(2*math.Pi*float64(i)/50) }

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"defaults", Config{Dims: 2}, ""},
		{"no columns", Config{}, "numeric columns"},
		{"too many columns", Config{Dims: 31}, "numeric columns"},
		{"trees", Config{Dims: 1, Trees: 1001}, "numberOfTrees"},
		{"sample small", Config{Dims: 1, SampleSize: 9}, "subSampleSize must be between"},
		{"sample vs decay", Config{Dims: 1, SampleSize: 500, TimeDecay: 500}, "less than timeDecay"},
		{"shingle", Config{Dims: 1, ShingleSize: 31}, "shingleSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSpikeScoresHighest(t *testing.T) {
	for _, shingle := range []int{1, 4} {
		f, err := New(Config{Dims: 1, Trees: 50, SampleSize: 128, ShingleSize: shingle, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		const n, spike = 1500, 1200
		scores := make([]float64, n)
		for i := range n {
			v := sine(i)
			if i == spike {
				v = 40
			}
			if scores[i], err = f.Score([]float64{v}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 128 + shingle - 1 {
			if scores[i] != 0 {
				t.Fatalf("shingle %d: score[%d] = %v during learning, want 0", shingle, i, scores[i])
			}
		}
		best, sum, cnt := 0, 0.0, 0
		for i := 400; i < n; i++ {
			if scores[i] > scores[best] {
				best = i
			}
			if i < spike || i >= spike+shingle {
				sum += scores[i]
				cnt++
			}
		}
		mean := sum / float64(cnt)
		if best < spike || best >= spike+shingle {
			t.Fatalf("shingle %d: highest score at %d (%v), want the spike at %d (%v)", shingle, best, scores[best], spike, scores[spike])
		}
		if scores[best] < 3*mean {
			t.Fatalf("shingle %d: spike score %v not well above the mean %v", shingle, scores[best], mean)
		}
	}
}

func TestDeterministic(t *testing.T) {
	run := func(seed uint64) []float64 {
		f, err := New(Config{Dims: 2, Trees: 20, SampleSize: 32, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		var out []float64
		for range 300 {
			s, err := f.Score([]float64{r.NormFloat64(), r.NormFloat64()})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	a, b, c := run(3), run(3), run(4)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, score %d differs: %v vs %v", i, a[i], b[i])
		}
		if a[i] != c[i] {
			same = false
		}
	}
	if same {
		t.Fatal("different seeds gave identical scores")
	}
}

func TestExplanation(t *testing.T) {
	f, err := New(Config{Dims: 2, Trees: 50, SampleSize: 64, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		if _, err := f.ScoreWithExplanation([]float64{r.NormFloat64(), r.NormFloat64()}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		point []float64
		col   int
		dir   string
	}{
		{[]float64{0, 9}, 1, "HIGH"}, // A2: high y
		{[]float64{0, -9}, 1, "LOW"}, // A1: low y
		{[]float64{9, 0}, 0, "HIGH"}, // A3: high x
		{[]float64{-9, 0}, 0, "LOW"}, // A4: low x
	}
	for _, tt := range tests {
		ex, err := f.ScoreWithExplanation(tt.point)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, a := range ex.Columns {
			sum += a.Score
		}
		if math.Abs(sum-ex.Score) > 1e-9*math.Max(1, ex.Score) {
			t.Errorf("%v: attributions sum to %v, score %v", tt.point, sum, ex.Score)
		}
		a, o := ex.Columns[tt.col], ex.Columns[1-tt.col]
		if a.Score <= 2*o.Score || a.Direction != tt.dir || a.Strength <= 0 {
			t.Errorf("%v: explanation %+v, want column %d dominant and %s", tt.point, ex, tt.col, tt.dir)
		}
		js, err := ex.JSON([]string{"X", "Y"}, true)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]map[string]string
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if m[[]string{"X", "Y"}[tt.col]]["DIRECTION"] != tt.dir {
			t.Errorf("JSON %s: want %s", js, tt.dir)
		}
	}
}

func TestExplanationJSON(t *testing.T) {
	ex := Explanation{Score: 0, Columns: []Attribution{{Direction: "LOW"}, {Direction: "LOW"}}}
	got, err := ex.JSON([]string{"SYSTOLIC", "DIASTOLIC"}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"SYSTOLIC":{"DIRECTION":"LOW","STRENGTH":"0.0","ATTRIBUTION_SCORE":"0.0"},"DIASTOLIC":{"DIRECTION":"LOW","STRENGTH":"0.0","ATTRIBUTION_SCORE":"0.0"}}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	ex.Columns[0].Score = 1.5
	got, _ = ex.JSON([]string{"A", "B"}, false)
	if want := `{"A":{"ATTRIBUTION_SCORE":"1.5"},"B":{"ATTRIBUTION_SCORE":"0.0"}}`; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	for v, want := range map[float64]string{0: "0.0", 2: "2.0", 0.25: "0.25", 3e-5: "3.0E-5", 1.25e8: "1.25E8"} {
		if got := formatNumber(v); got != want {
			t.Errorf("formatNumber(%v) = %s, want %s", v, got, want)
		}
	}
}

func TestBadRecords(t *testing.T) {
	f, _ := New(Config{Dims: 2, Trees: 2, SampleSize: 10})
	for _, rec := range [][]float64{{1}, {1, math.NaN()}, {math.Inf(1), 0}} {
		if _, err := f.Score(rec); err == nil {
			t.Errorf("%v: want error", rec)
		}
	}
}

// FuzzScore feeds arbitrary records; the forest must answer or refuse, never
// panic, and keep its trees' masses consistent.
func FuzzScore(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add(make([]byte, 160))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00\x00\x00\x00\xf0\x7f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := New(Config{Dims: 2, Trees: 3, SampleSize: 10, ShingleSize: 2, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for len(data) >= 16 {
			a := math.Float64frombits(binary.LittleEndian.Uint64(data))
			b := math.Float64frombits(binary.LittleEndian.Uint64(data[8:]))
			data = data[16:]
			ex, err := fr.ScoreWithExplanation([]float64{a, b})
			if err != nil {
				continue
			}
			if ex.Score < 0 || math.IsNaN(ex.Score) {
				t.Fatalf("score %v", ex.Score)
			}
		}
		for i := range fr.trees {
			m := &fr.trees[i]
			if m.root != nil {
				if m.root.mass != len(m.sample) {
					t.Fatalf("tree %d: mass %d, sample %d", i, m.root.mass, len(m.sample))
				}
				check(t, m.root, fr.dims)
			}
		}
	})
}

func BenchmarkScore(b *testing.B) {
	f, err := New(Config{Dims: 2, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 20000 { // past the learning phase, into steady-state sampling
		f.Score([]float64{r.NormFloat64(), r.NormFloat64()})
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.Score([]float64{r.NormFloat64(), r.NormFloat64()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

func TestSteadySignalScoresZero(t *testing.T) {
	f, err := New(Config{Dims: 2, Trees: 10, SampleSize: 16, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		s, err := f.Score([]float64{5, 7})
		if err != nil || s != 0 {
			t.Fatalf("record %d: score %v, err %v; want 0 for a constant stream", i, s, err)
		}
	}
	if s, _ := f.Score([]float64{5, 8}); s <= 0 {
		t.Fatalf("change after a constant stream scored %v", s)
	}
}

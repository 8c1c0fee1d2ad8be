package hotspots

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"AWS example", Config{Dims: 2, WindowSize: 100, ScanRadius: 0.013, MinPoints: 20}, ""},
		{"window small", Config{Dims: 2, WindowSize: 99, ScanRadius: 1, MinPoints: 2}, "windowSize"},
		{"window large", Config{Dims: 2, WindowSize: 1001, ScanRadius: 1, MinPoints: 2}, "windowSize"},
		{"radius", Config{Dims: 2, WindowSize: 100, ScanRadius: 0, MinPoints: 2}, "scanRadius"},
		{"radius NaN", Config{Dims: 2, WindowSize: 100, ScanRadius: math.NaN(), MinPoints: 2}, "scanRadius"},
		{"min points", Config{Dims: 2, WindowSize: 100, ScanRadius: 1, MinPoints: 1}, "minimumNumberOfPointsInAHotspot"},
		{"min points over window", Config{Dims: 2, WindowSize: 100, ScanRadius: 1, MinPoints: 101}, "minimumNumberOfPointsInAHotspot"},
		{"no columns", Config{WindowSize: 100, ScanRadius: 1, MinPoints: 2}, "numeric columns"},
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

// TestCluster mirrors AWS's "Detect Hotspots" example: sparse random
// records with one dense cluster; the cluster's bounding box is reported
// while it is in the window, and nothing once it has slid out.
func TestCluster(t *testing.T) {
	d, err := New(Config{Dims: 2, WindowSize: 120, ScanRadius: 0.3, MinPoints: 10})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	var hs []Hotspot
	for i := range 120 {
		var p []float64
		if i%3 == 0 { // 40 records in [4,4.5]x[6,6.5]
			p = []float64{4 + r.Float64()/2, 6 + r.Float64()/2}
			minX, maxX = min(minX, p[0]), max(maxX, p[0])
			minY, maxY = min(minY, p[1]), max(maxY, p[1])
		} else {
			for {
				p = []float64{r.Float64() * 10, r.Float64() * 10}
				if math.Abs(p[0]-4.25) > 1 || math.Abs(p[1]-6.25) > 1 {
					break
				}
			}
		}
		if hs, err = d.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	if len(hs) != 1 {
		t.Fatalf("got %d hotspots, want 1: %s", len(hs), JSON(hs))
	}
	h := hs[0]
	want := []float64{minX, minY, maxX, maxY}
	got := []float64{h.MinValues[0], h.MinValues[1], h.MaxValues[0], h.MaxValues[1]}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("box %v, want %v", got, want)
		}
	}
	if h.Count != 40 {
		t.Fatalf("count %d, want 40", h.Count)
	}
	wantDensity := 40 / ((maxX - minX) * (maxY - minY))
	if math.Abs(h.Density-wantDensity) > 1e-9*wantDensity {
		t.Fatalf("density %v, want %v", h.Density, wantDensity)
	}
	var doc struct {
		Hotspots []struct {
			Density   float64   `json:"density"`
			MinValues []float64 `json:"minValues"`
			MaxValues []float64 `json:"maxValues"`
		} `json:"hotspots"`
	}
	if err := json.Unmarshal([]byte(JSON(hs)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Hotspots) != 1 || doc.Hotspots[0].MinValues[0] != minX || doc.Hotspots[0].Density != h.Density {
		t.Fatalf("JSON %s", JSON(hs))
	}
	for range 120 {
		if hs, err = d.Add([]float64{r.Float64() * 10, r.Float64() * 10}); err != nil {
			t.Fatal(err)
		}
	}
	if len(hs) != 0 {
		t.Fatalf("after the cluster left the window: %s", JSON(hs))
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		hs   []Hotspot
		want string
	}{
		{nil, `{"hotspots":[]}`},
		{[]Hotspot{{Density: 12.5, MinValues: []float64{1, -2}, MaxValues: []float64{1.5, 0}}},
			`{"hotspots":[{"density":12.5,"maxValues":[1.5,0],"minValues":[1,-2]}]}`},
	}
	for _, tt := range tests {
		if got := JSON(tt.hs); got != tt.want {
			t.Errorf("got %s want %s", got, tt.want)
		}
	}
}

func TestDuplicatesFiniteDensity(t *testing.T) {
	d, _ := New(Config{Dims: 1, WindowSize: 100, ScanRadius: 0.5, MinPoints: 5})
	var hs []Hotspot
	for range 5 {
		hs, _ = d.Add([]float64{3})
	}
	if len(hs) != 1 || hs[0].Density != 10 {
		t.Fatalf("got %s", JSON(hs))
	}
}

// FuzzAdd feeds arbitrary records: the detector answers or refuses, and its
// JSON is always valid.
func FuzzAdd(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add(make([]byte, 320))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := New(Config{Dims: 2, WindowSize: 100, ScanRadius: 1e-300, MinPoints: 2})
		if err != nil {
			t.Fatal(err)
		}
		for len(data) >= 16 {
			a := math.Float64frombits(binary.LittleEndian.Uint64(data))
			b := math.Float64frombits(binary.LittleEndian.Uint64(data[8:]))
			data = data[16:]
			hs, err := d.Add([]float64{a, b})
			if err != nil {
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(JSON(hs)), &v); err != nil {
				t.Fatalf("%s: %v", JSON(hs), err)
			}
		}
	})
}

func BenchmarkAddWindow1000(b *testing.B) {
	d, _ := New(Config{Dims: 2, WindowSize: 1000, ScanRadius: 0.05, MinPoints: 20})
	r := rand.New(rand.NewPCG(1, 1))
	for range 1000 {
		d.Add([]float64{r.Float64(), r.Float64()})
	}
	for b.Loop() {
		d.Add([]float64{r.Float64(), r.Float64()})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestIncrementalNeighbours checks the incrementally kept neighbour lists
// against a full recomputation while the window slides.
func TestIncrementalNeighbours(t *testing.T) {
	d, _ := New(Config{Dims: 3, WindowSize: 100, ScanRadius: 0.4, MinPoints: 3})
	r := rand.New(rand.NewPCG(9, 9))
	for step := range 350 {
		if _, err := d.Add([]float64{r.Float64() * 2, r.Float64() * 2, r.Float64() * 2}); err != nil {
			t.Fatal(err)
		}
		for i, a := range d.window {
			want := 0
			for j, b := range d.window {
				s := 0.0
				for k := range a {
					s += (a[k] - b[k]) * (a[k] - b[k])
				}
				if i != j && s <= 0.16 {
					want++
				}
			}
			if len(d.nbrs[i]) != want {
				t.Fatalf("step %d slot %d: %d neighbours, want %d", step, i, len(d.nbrs[i]), want)
			}
		}
	}
}

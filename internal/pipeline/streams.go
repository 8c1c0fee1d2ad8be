package pipeline

import "fmt"

func buildStream(f *File, e *entry) {
	s := Stream{
		Name:           e.str("name"),
		Mode:           e.str("mode"),
		RetentionHours: e.int("retention_hours"),
		Tags:           e.strMap("tags"),
		Line:           e.node.Line,
	}
	if s.Mode == ModeOnDemand {
		if e.given("shards") {
			e.errorf("shards", "not allowed with mode: %s (kinesin manages the shards of on-demand streams)", ModeOnDemand)
		}
	} else {
		s.Shards = e.int("shards")
	}
	f.Streams = append(f.Streams, s)
}

func uniqueStreamNames(_ *File, es []*entry) {
	first := map[string]*entry{}
	for _, e := range es {
		name := e.str("name")
		if name == "" {
			continue
		}
		if prev, dup := first[name]; dup {
			e.errorf("name", "%s", fmt.Sprintf("duplicate stream %q (also %s at line %d)", name, prev.path, prev.line("name")))
			continue
		}
		first[name] = e
	}
}

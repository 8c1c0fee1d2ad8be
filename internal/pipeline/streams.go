package pipeline

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

package records

import (
	"fmt"
	"strconv"
	"strings"
)

// stepKind is the kind of one JSONPath step.
type stepKind uint8

const (
	stepKey   stepKind = iota // .name, ['name'], ["name"]
	stepIndex                 // [n]
	stepAll                   // [lo:], [lo:hi], [*]: every element (hi < 0: to the end)
)

type step struct {
	kind   stepKind
	key    string
	index  int
	lo, hi int
}

func (a step) equal(b step) bool {
	return a.kind == b.kind && a.key == b.key && a.index == b.index && a.lo == b.lo && a.hi == b.hi
}

// maxPathSteps bounds a path's depth (AWS bounds Mapping at 65535 characters).
const maxPathSteps = 256

// parsePath reads the JSONPath subset Kinesis Data Analytics documents
// ("Working with JSONPath"): $ for the root, .name and ['name'] (or
// ["name"]) for members, [n] for an array element and [0:] for every
// element; [lo:hi] and [*] are accepted as forms of [0:].
func parsePath(p string) ([]step, error) {
	bad := func(why string) ([]step, error) {
		return nil, fmt.Errorf("records: invalid JSONPath %q: %s", p, why)
	}
	if !strings.HasPrefix(p, "$") {
		return bad("it must start with $")
	}
	var steps []step
	i := 1
	for i < len(p) {
		if len(steps) == maxPathSteps {
			return bad("too many steps")
		}
		switch p[i] {
		case '.':
			i++
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i {
				return bad("empty member name")
			}
			name := p[i:j]
			if strings.ContainsAny(name, " \t\r\n") {
				return bad("white space in a member name (use ['name'])")
			}
			steps = append(steps, step{kind: stepKey, key: name})
			i = j
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if i+1 < len(p) && (p[i+1] == '\'' || p[i+1] == '"') {
				q := p[i+1]
				j := strings.IndexByte(p[i+2:], q)
				if j < 0 || i+2+j+1 >= len(p) || p[i+2+j+1] != ']' {
					return bad("unterminated quoted member name")
				}
				steps = append(steps, step{kind: stepKey, key: p[i+2 : i+2+j]})
				i = i + 2 + j + 2
				continue
			}
			if end < 0 {
				return bad("missing ]")
			}
			in := strings.TrimSpace(p[i+1 : i+end])
			i += end + 1
			switch {
			case in == "*":
				steps = append(steps, step{kind: stepAll, hi: -1})
			case strings.Contains(in, ":"):
				a, b, _ := strings.Cut(in, ":")
				st := step{kind: stepAll, hi: -1}
				var err error
				if a = strings.TrimSpace(a); a != "" {
					if st.lo, err = strconv.Atoi(a); err != nil || st.lo < 0 {
						return bad("invalid slice start")
					}
				}
				if b = strings.TrimSpace(b); b != "" {
					if st.hi, err = strconv.Atoi(b); err != nil || st.hi < 0 {
						return bad("invalid slice end")
					}
				}
				steps = append(steps, st)
			default:
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 {
					return bad("invalid array index")
				}
				steps = append(steps, step{kind: stepIndex, index: n})
			}
		default:
			return bad(fmt.Sprintf("unexpected %q", p[i]))
		}
	}
	return steps, nil
}

// inRange reports whether element i is in an all-elements step's range.
func (s step) inRange(i int) bool { return i >= s.lo && (s.hi < 0 || i < s.hi) }

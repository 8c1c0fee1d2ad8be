package awserr

import (
	"regexp"
	"strconv"
	"unicode/utf16"
)

// The checks below record the model constraint violations of one member
// each, in the wording of Violations. Optional members are pointers: a nil
// member breaks no constraint but Required's. A caller records the checks
// of a member in the order AWS reports them (which differs between
// services), so each check records one kind of constraint.

// Required records a required member that is missing (there false) and
// reports whether it is there, so that the member's other checks can be
// skipped.
func (v *Violations) Required(there bool, path string) bool {
	if !there {
		v.Null(path)
	}
	return there
}

// Length records a string member shorter than lo or longer than hi
// characters (counted as AWS counts them, see Len16).
func (v *Violations) Length(s *string, path string, lo, hi int) {
	if s == nil {
		return
	}
	if c := LengthConstraint(*s, lo, hi); c != "" {
		v.Add(*s, path, c)
	}
}

// Match records a string member that re does not match; shown is the
// pattern as AWS prints it in the message.
func (v *Violations) Match(s *string, path string, re *regexp.Regexp, shown string) {
	if s != nil && !re.MatchString(*s) {
		v.Add(*s, path, Pattern(shown))
	}
}

// Range records an integer member below lo or above hi.
func (v *Violations) Range(n *int64, path string, lo, hi int64) {
	switch {
	case n == nil:
	case *n < lo:
		v.Add(strconv.FormatInt(*n, 10), path, MinVal(lo))
	case *n > hi:
		v.Add(strconv.FormatInt(*n, 10), path, MaxVal(hi))
	}
}

// OneOf records a string member that is none of values (an enum).
func (v *Violations) OneOf(s *string, path string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.Add(*s, path, Enum(values...))
}

// Hidden records that the sensitive member at path broke constraint. AWS
// leaves a sensitive member's value out of the message:
//
//	Value at 'x' failed to satisfy constraint: ...
func (v *Violations) Hidden(path, constraint string) {
	v.add("Value at '" + path + "' failed to satisfy constraint: " + constraint)
}

// LengthHidden is Length for a sensitive member.
func (v *Violations) LengthHidden(s *string, path string, lo, hi int) {
	if s == nil {
		return
	}
	if c := LengthConstraint(*s, lo, hi); c != "" {
		v.Hidden(path, c)
	}
}

// LengthConstraint is the length constraint s breaks (MinLen(lo) or
// MaxLen(hi)), or "" when its length is within [lo, hi]. It is for members
// whose value the message shows otherwise than as it is (masked,
// redacted).
func LengthConstraint(s string, lo, hi int) string {
	switch n := Len16(s); {
	case n < lo:
		return MinLen(lo)
	case n > hi:
		return MaxLen(hi)
	}
	return ""
}

// Len16 is the length of s as AWS's Java validators count it: UTF-16 code
// units (so a character outside the Basic Multilingual Plane counts 2).
func Len16(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

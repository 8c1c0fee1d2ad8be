package functions

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
)

var (
	namePattern      = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	qualifierPattern = regexp.MustCompile(`^[a-zA-Z0-9$_-]{1,128}$`)
	aliasPattern     = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
	versionPattern   = regexp.MustCompile(`^[0-9]+$`)
	arnPattern       = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*):lambda:([a-z]{2}(-gov)?-[a-z]+-\d{1}):(\d{12}):function:(.*)$`)
	partialPattern   = regexp.MustCompile(`^(\d{12}):function:(.*)$`)
)

// functionNameConstraint is the pattern AWS quotes for FunctionName.
const functionNameConstraint = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

// ref names a function and optionally a version or alias.
type ref struct {
	Name, Qualifier string
}

// parseRef splits a function name, partial ARN or ARN, and merges the
// qualifier given apart (the Qualifier query parameter).
func (s *Service) parseRef(raw, qualifier string) (ref, error) {
	bad := func() error {
		var v awserr.Violations
		v.Add(raw, "functionName", awserr.Pattern(functionNameConstraint))
		return validationErr(&v)
	}
	if raw == "" {
		var v awserr.Violations
		v.Add(raw, "functionName", awserr.MinLen(1))
		return ref{}, validationErr(&v)
	}
	if len(raw) > 170 {
		return ref{}, bad()
	}
	rest := raw
	if m := arnPattern.FindStringSubmatch(raw); m != nil {
		if m[2] != s.cfg.Region || m[4] != s.cfg.AccountID {
			return ref{}, ResourceNotFound.New("Functions from '%s' are not reachable in this region ('%s')", m[2], s.cfg.Region)
		}
		rest = m[5]
	} else if m := partialPattern.FindStringSubmatch(raw); m != nil {
		if m[1] != s.cfg.AccountID {
			return ref{}, bad()
		}
		rest = m[2]
	} else if strings.HasPrefix(raw, "arn:") {
		return ref{}, bad()
	}
	name, q, hasQ := strings.Cut(rest, ":")
	if !namePattern.MatchString(name) || (hasQ && !qualifierPattern.MatchString(q)) {
		return ref{}, bad()
	}
	if qualifier != "" {
		if !qualifierPattern.MatchString(qualifier) {
			var v awserr.Violations
			v.Add(qualifier, "qualifier", awserr.Pattern(`(|[a-zA-Z0-9$_-]+)`))
			return ref{}, validationErr(&v)
		}
		if hasQ && q != qualifier {
			return ref{}, InvalidParameter.New("The derived qualifier from the function name does not match the specified qualifier.")
		}
		q = qualifier
	}
	return ref{Name: name, Qualifier: q}, nil
}

func validationErr(v *awserr.Violations) error {
	e := v.Err()
	if e == nil {
		return nil
	}
	return Validation.New("%s", e.Message)
}

// functionARN is the unqualified ARN of a function.
func (s *Service) functionARN(name string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.AccountID + ":function:" + name
}

// qualifiedARN is the ARN of a version or alias (unqualified when q is "").
func (s *Service) qualifiedARN(name, q string) string {
	if q == "" {
		return s.functionARN(name)
	}
	return s.functionARN(name) + ":" + q
}

func isVersion(q string) bool { return q == latest || versionPattern.MatchString(q) }

func versionNumber(q string) int {
	n, err := strconv.Atoi(q)
	if err != nil {
		return -1
	}
	return n
}

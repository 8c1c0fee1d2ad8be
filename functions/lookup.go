package functions

import (
	"context"

	"github.com/kinesin/kinesin/internal/awserr"
)

// ResourceInUse is Lambda's ResourceInUseException: the resource is busy
// with another operation (an event source mapping that is still Creating,
// Updating, Enabling or Disabling). Its model names the message member
// "Message", hence the capitalMessage entry.
var ResourceInUse = awserr.Kind{Code: "ResourceInUseException", Status: 400}

func init() { capitalMessage[ResourceInUse.Code] = true }

// FunctionRef is a function as another service names it: the bare name,
// the qualifier the caller gave ("" when none; "$LATEST", a version or an
// alias otherwise) and the ARN that qualifier makes.
type FunctionRef struct {
	Name      string
	Qualifier string
	ARN       string
}

// ParseFunctionName reads a function name, partial ARN or ARN, optionally
// qualified, without looking the function up. A malformed name is a
// ValidationException; an ARN of another region or account a
// ResourceNotFoundException.
func (s *Service) ParseFunctionName(name string) (FunctionRef, error) {
	r, err := s.parseRef(name, "")
	if err != nil {
		return FunctionRef{}, err
	}
	return FunctionRef{Name: r.Name, Qualifier: r.Qualifier, ARN: s.qualifiedARN(r.Name, r.Qualifier)}, nil
}

// Lookup is ParseFunctionName that also checks that the function and the
// version or alias it names exist, whatever their state: event source
// mappings may name a function that is still Pending, as Lambda allows.
// An unknown function, version or alias is a ResourceNotFoundException.
func (s *Service) Lookup(ctx context.Context, name string) (FunctionRef, error) {
	ref, err := s.ParseFunctionName(name)
	if err != nil {
		return FunctionRef{}, err
	}
	if _, _, err := s.loadConfig(ctx, refOf(ref)); err != nil {
		return FunctionRef{}, err
	}
	return ref, nil
}

func refOf(f FunctionRef) ref { return ref{Name: f.Name, Qualifier: f.Qualifier} }

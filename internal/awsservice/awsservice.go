package awsservice

import (
	"context"
	"log/slog"
	"sort"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/awsproto"
)

// Call is one request to an operation.
type Call struct {
	Ctx  context.Context
	Body []byte
}

// Op is one operation: its result is encoded as the response body (nil:
// an empty object).
type Op func(c *Call) (any, error)

// Input decodes a request and runs its constraint checks (check nil:
// none).
func Input[T any](c *Call, check func(v *awserr.Violations, in *T)) (*T, error) {
	in := new(T)
	if err := awsproto.JSON.Unmarshal(c.Body, in); err != nil {
		return nil, err
	}
	if check != nil {
		var v awserr.Violations
		check(&v, in)
		if err := v.Err(); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// Dispatcher serves a service's operations by the name after the '.' of
// X-Amz-Target.
type Dispatcher struct {
	// Name prefixes the log messages ("firehose").
	Name string
	Log  *slog.Logger
	Ops  map[string]Op
	// Marshal encodes a result.
	Marshal func(out any) ([]byte, error)
	// Answer, when set, may answer an error itself (an error shape with
	// members beyond the catalogue's); nil leaves it to the catalogue.
	Answer func(err error) *router.Response
}

// Serve handles one request.
func (d *Dispatcher) Serve(r *router.Request) *router.Response {
	target := r.Header("X-Amz-Target")
	name := target[strings.IndexByte(target, '.')+1:]
	fn, ok := d.Ops[name]
	if !ok {
		return ErrorResponse(awserr.UnknownOperation.New(""))
	}
	out, err := fn(&Call{Ctx: r.Ctx, Body: r.Body})
	if err != nil {
		if d.Answer != nil {
			if resp := d.Answer(err); resp != nil {
				return resp
			}
		}
		e := awserr.As(err)
		if e.Kind == awserr.InternalFailure {
			d.Log.Error(d.Name+": internal failure", "op", name, "err", err)
		}
		return ErrorResponse(e)
	}
	if out == nil {
		out = struct{}{}
	}
	body, err := d.Marshal(out)
	if err != nil {
		d.Log.Error(d.Name+": encode response", "op", name, "err", err)
		return ErrorResponse(awserr.InternalFailure.New(""))
	}
	return Response(200, body)
}

// Response is a JSON response.
func Response(status int, body []byte) *router.Response {
	return &router.Response{Status: status, Header: map[string]string{"Content-Type": awsproto.ContentTypeJSON}, Body: body}
}

// ErrorResponse is the JSON answer of a catalogue error.
func ErrorResponse(e *awserr.Error) *router.Response {
	return Response(e.Status, awsproto.JSON.MarshalError(e))
}

// MergeTags adds (or overwrites) tags in order of first appearance; key
// is a tag's key.
func MergeTags[T any](have, add []T, key func(T) string) []T {
	for _, t := range add {
		found := false
		for i := range have {
			if key(have[i]) == key(t) {
				have[i], found = t, true
			}
		}
		if !found {
			have = append(have, t)
		}
	}
	return have
}

// DropTags removes the tags whose key is one of keys, in place.
func DropTags[T any](tags []T, key func(T) string, keys []string) []T {
	kept := tags[:0]
	for _, t := range tags {
		drop := false
		for _, k := range keys {
			drop = drop || key(t) == k
		}
		if !drop {
			kept = append(kept, t)
		}
	}
	return kept
}

// Page sorts items by name and returns up to limit of those whose name
// comes after after (nil: from the first), and whether more follow: the
// List operations' ExclusiveStart paging.
func Page[T any](items []T, name func(T) string, after *string, limit int) (page []T, more bool) {
	sort.Slice(items, func(i, j int) bool { return name(items[i]) < name(items[j]) })
	for _, t := range items {
		if after != nil && name(t) <= *after {
			continue
		}
		if len(page) == limit {
			return page, true
		}
		page = append(page, t)
	}
	return page, false
}

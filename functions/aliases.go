package functions

import (
	"context"
	"strconv"

	"github.com/kinesin/kinesin/internal/awserr"
)

type aliasInput struct {
	Name            string              `json:"Name"`
	FunctionVersion *string             `json:"FunctionVersion"`
	Description     *string             `json:"Description"`
	RoutingConfig   *AliasRoutingConfig `json:"RoutingConfig"`
	RevisionId      string              `json:"RevisionId"`
}

func checkAliasName(v *awserr.Violations, name string) {
	if !aliasPattern.MatchString(name) || versionPattern.MatchString(name) {
		v.Add(name, "name", awserr.Pattern(`(?!^[0-9]+$)([a-zA-Z0-9-_]+)`))
	}
}

func (in *aliasInput) check(v *awserr.Violations) {
	if in.FunctionVersion != nil && !qualifierPattern.MatchString(*in.FunctionVersion) {
		v.Add(*in.FunctionVersion, "functionVersion", awserr.Pattern(`(\$LATEST|[0-9]+)`))
	}
	if in.Description != nil && len(*in.Description) > 256 {
		v.Add(*in.Description, "description", awserr.MaxLen(256))
	}
}

// checkTargets verifies that the versions an alias points to exist.
func (s *Service) checkTargets(ctx context.Context, name string, version string, rc *AliasRoutingConfig) error {
	if !isVersion(version) {
		return InvalidParameter.New("Alias can only point to a version ($LATEST or a number), not %s.", version)
	}
	if err := s.versionExists(ctx, name, version); err != nil {
		return err
	}
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return nil
	}
	if len(rc.AdditionalVersionWeights) > 1 {
		return InvalidParameter.New("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	if version == latest {
		return InvalidParameter.New("$LATEST is not supported for an alias pointing to more than 1 version")
	}
	for v, w := range rc.AdditionalVersionWeights {
		if v == latest || !isVersion(v) {
			return InvalidParameter.New("Invalid function version %s. Function version %s is not a published version.", v, v)
		}
		if v == version {
			return InvalidParameter.New("Invalid function version %s. The additional version cannot be the primary version.", v)
		}
		if w < 0 || w > 1 {
			return InvalidParameter.New("Invalid weight %s for version %s: weights must be between 0.0 and 1.0.", strconv.FormatFloat(w, 'f', -1, 64), v)
		}
		if err := s.versionExists(ctx, name, v); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) versionExists(ctx context.Context, name, version string) error {
	if version == latest {
		return nil
	}
	var cfg FunctionConfiguration
	rev, err := s.st.get(ctx, versionKey(name, version), &cfg)
	if err != nil {
		return err
	}
	if rev == 0 {
		return ResourceNotFound.New("Function not found: %s", s.qualifiedARN(name, version))
	}
	return nil
}

func (s *Service) createAlias(c *call, name string, _ []string) (result, error) {
	var in aliasInput
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	var v awserr.Violations
	if in.Name == "" {
		v.Null("name")
	} else {
		checkAliasName(&v, in.Name)
	}
	if in.FunctionVersion == nil {
		v.Null("functionVersion")
	}
	in.check(&v)
	if err := validationErr(&v); err != nil {
		return result{}, err
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	if _, _, err := s.loadFunc(c.ctx, r.Name); err != nil {
		return result{}, err
	}
	if err := s.checkTargets(c.ctx, r.Name, *in.FunctionVersion, in.RoutingConfig); err != nil {
		return result{}, err
	}
	a := AliasConfiguration{AliasArn: s.qualifiedARN(r.Name, in.Name), Name: in.Name, FunctionVersion: *in.FunctionVersion,
		RevisionId: newRevisionID(), RoutingConfig: in.RoutingConfig}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if _, err := s.st.put(c.ctx, aliasKey(r.Name, in.Name), &a, 0); err != nil {
		if err == errConflict {
			return result{}, ResourceConflict.New("Alias already exists: %s", a.AliasArn)
		}
		return result{}, err
	}
	return result{status: 201, body: &a}, nil
}

func (s *Service) loadAlias(ctx context.Context, fn, alias string) (*AliasConfiguration, uint64, error) {
	var v awserr.Violations
	checkAliasName(&v, alias)
	if err := validationErr(&v); err != nil {
		return nil, 0, err
	}
	var a AliasConfiguration
	rev, err := s.st.get(ctx, aliasKey(fn, alias), &a)
	if err != nil {
		return nil, 0, err
	}
	if rev == 0 {
		return nil, 0, ResourceNotFound.New("Alias not found: %s", s.qualifiedARN(fn, alias))
	}
	return &a, rev, nil
}

func (s *Service) getAlias(c *call, name string, rest []string) (result, error) {
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	a, _, err := s.loadAlias(c.ctx, r.Name, rest[0])
	if err != nil {
		return result{}, err
	}
	return result{status: 200, body: a}, nil
}

func (s *Service) updateAlias(c *call, name string, rest []string) (result, error) {
	var in aliasInput
	if err := c.decodeChecked(&in); err != nil {
		return result{}, err
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	for range 20 {
		a, rev, err := s.loadAlias(c.ctx, r.Name, rest[0])
		if err != nil {
			return result{}, err
		}
		if in.RevisionId != "" && in.RevisionId != a.RevisionId {
			return result{}, PreconditionFailed.New("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
		}
		if in.FunctionVersion != nil {
			a.FunctionVersion = *in.FunctionVersion
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			a.RoutingConfig = in.RoutingConfig
			if len(in.RoutingConfig.AdditionalVersionWeights) == 0 {
				a.RoutingConfig = nil
			}
		}
		if err := s.checkTargets(c.ctx, r.Name, a.FunctionVersion, a.RoutingConfig); err != nil {
			return result{}, err
		}
		a.RevisionId = newRevisionID()
		if _, err := s.st.put(c.ctx, aliasKey(r.Name, a.Name), a, rev); err != errConflict {
			if err != nil {
				return result{}, err
			}
			return result{status: 200, body: a}, nil
		}
	}
	return result{}, ResourceConflict.New("The alias is being modified concurrently; try again.")
}

func (s *Service) deleteAlias(c *call, name string, rest []string) (result, error) {
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	var v awserr.Violations
	checkAliasName(&v, rest[0])
	if err := validationErr(&v); err != nil {
		return result{}, err
	}
	if err := s.st.del(c.ctx, aliasKey(r.Name, rest[0])); err != nil {
		return result{}, err
	}
	return result{status: 204}, nil
}

// aliases lists a function's aliases by name.
func (s *Service) aliases(ctx context.Context, fn string) ([]*AliasConfiguration, error) {
	keys, err := s.st.keys(ctx, "a."+fn+".")
	if err != nil {
		return nil, err
	}
	var out []*AliasConfiguration
	for _, k := range keys {
		var a AliasConfiguration
		rev, err := s.st.get(ctx, k, &a)
		if err != nil {
			return nil, err
		}
		if rev != 0 {
			out = append(out, &a)
		}
	}
	return out, nil
}

func (s *Service) listAliases(c *call, name string, _ []string) (result, error) {
	marker, max, err := pageParams(c)
	if err != nil {
		return result{}, err
	}
	r, err := s.parseRef(name, "")
	if err != nil {
		return result{}, err
	}
	if _, _, err := s.loadFunc(c.ctx, r.Name); err != nil {
		return result{}, err
	}
	all, err := s.aliases(c.ctx, r.Name)
	if err != nil {
		return result{}, err
	}
	items := []*AliasConfiguration{}
	fv := c.query.Get("FunctionVersion")
	for _, a := range all {
		if fv == "" || a.FunctionVersion == fv {
			items = append(items, a)
		}
	}
	items, next, err := page(items, marker, max)
	if err != nil {
		return result{}, err
	}
	return result{status: 200, body: map[string]any{"Aliases": items, "NextMarker": next}}, nil
}

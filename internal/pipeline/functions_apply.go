package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Role is the execution role given to the functions apply creates. kinesin
// does not use it, but the Lambda API requires one.
const Role = "arn:aws:iam::000000000000:role/kinesin"

// CodeSha256 is the Lambda API's CodeSha256 of a package: the base64 of its
// SHA-256.
func CodeSha256(code []byte) string {
	sum := sha256.Sum256(code)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// function converges one function and returns how many changes it made.
func (a *applier) function(ctx context.Context, fn *Function) (int, error) {
	changes := 0
	logf := func(format string, args ...any) {
		changes++
		a.log(fmt.Sprintf("function %s: ", fn.Name) + fmt.Sprintf(format, args...))
	}
	var build bytes.Buffer
	code, err := Package(ctx, fn.Path, fn.Runtime, &build)
	if err != nil {
		if out := strings.TrimSpace(build.String()); out != "" {
			err = fmt.Errorf("%w\n%s", err, out)
		}
		return 0, err
	}
	sha := CodeSha256(code)

	cfg, err := a.settled(ctx, fn.Name)
	if err != nil {
		return 0, err
	}
	if cfg == nil {
		_, err := a.lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(fn.Name),
			Runtime:      ltypes.Runtime(fn.Runtime),
			Handler:      aws.String(fn.Handler),
			Role:         aws.String(Role),
			Code:         &ltypes.FunctionCode{ZipFile: code},
			Timeout:      aws.Int32(int32(fn.Timeout)),
			MemorySize:   aws.Int32(int32(fn.Memory)),
			Environment:  &ltypes.Environment{Variables: fn.Environment},
		})
		var conflict *ltypes.ResourceConflictException
		switch {
		case errors.As(err, &conflict):
			// Created by someone else since we looked: converge it.
		case err != nil:
			return 0, err
		default:
			logf("created (%s, %d bytes)", fn.Runtime, len(code))
		}
		if cfg, err = a.ready(ctx, fn.Name); err != nil {
			return changes, err
		}
	}

	// A runtime change goes with a change of package format: switch the
	// runtime before the code, so that the new code is checked by the
	// engine that will run it.
	if ltypes.Runtime(fn.Runtime) != cfg.Runtime {
		if cfg, err = a.configure(ctx, fn, cfg, logf); err != nil {
			return changes, err
		}
	}
	if have := aws.ToString(cfg.CodeSha256); have != sha {
		if _, err := a.lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
			FunctionName: aws.String(fn.Name), ZipFile: code,
		}); err != nil {
			return changes, err
		}
		logf("code updated (%d bytes, CodeSha256 %s)", len(code), sha)
		if cfg, err = a.ready(ctx, fn.Name); err != nil {
			return changes, err
		}
	}
	if cfg, err = a.configure(ctx, fn, cfg, logf); err != nil {
		return changes, err
	}
	if cfg.State != ltypes.StateActive || cfg.LastUpdateStatus == ltypes.LastUpdateStatusFailed {
		// Nothing left to change, but the function is broken: say why.
		return changes, notReady(cfg)
	}

	conc, err := a.lc.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String(fn.Name)})
	if err != nil {
		return changes, err
	}
	have := conc.ReservedConcurrentExecutions
	switch {
	case fn.Concurrency == nil && have != nil:
		if _, err := a.lc.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{
			FunctionName: aws.String(fn.Name),
		}); err != nil {
			return changes, err
		}
		logf("concurrency %d → unreserved", *have)
	case fn.Concurrency != nil && (have == nil || int(*have) != *fn.Concurrency):
		if _, err := a.lc.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{
			FunctionName: aws.String(fn.Name), ReservedConcurrentExecutions: aws.Int32(int32(*fn.Concurrency)),
		}); err != nil {
			return changes, err
		}
		was := "unreserved"
		if have != nil {
			was = fmt.Sprint(*have)
		}
		logf("concurrency %s → %d", was, *fn.Concurrency)
	}
	return changes, nil
}

// configure updates the configuration of the function when it differs from
// fn, waits for the update and returns the new configuration.
func (a *applier) configure(ctx context.Context, fn *Function, cfg *lambda.GetFunctionConfigurationOutput, logf func(string, ...any)) (*lambda.GetFunctionConfigurationOutput, error) {
	var diffs []string
	if have := cfg.Runtime; have != ltypes.Runtime(fn.Runtime) {
		diffs = append(diffs, fmt.Sprintf("runtime %s → %s", have, fn.Runtime))
	}
	if have := aws.ToString(cfg.Handler); have != fn.Handler {
		diffs = append(diffs, fmt.Sprintf("handler %s → %s", have, fn.Handler))
	}
	if have := int(aws.ToInt32(cfg.Timeout)); have != fn.Timeout {
		diffs = append(diffs, fmt.Sprintf("timeout %d → %d", have, fn.Timeout))
	}
	if have := int(aws.ToInt32(cfg.MemorySize)); have != fn.Memory {
		diffs = append(diffs, fmt.Sprintf("memory %d → %d", have, fn.Memory))
	}
	var env map[string]string
	if cfg.Environment != nil {
		env = cfg.Environment.Variables
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if _, keep := fn.Environment[k]; !keep {
			diffs = append(diffs, fmt.Sprintf("environment %s removed", k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(fn.Environment)) {
		switch old, ok := env[k]; {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("environment %s=%s added", k, fn.Environment[k]))
		case old != fn.Environment[k]:
			diffs = append(diffs, fmt.Sprintf("environment %s=%s (was %s)", k, fn.Environment[k], old))
		}
	}
	if len(diffs) == 0 {
		return cfg, nil
	}
	if _, err := a.lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(fn.Name),
		Runtime:      ltypes.Runtime(fn.Runtime),
		Handler:      aws.String(fn.Handler),
		Timeout:      aws.Int32(int32(fn.Timeout)),
		MemorySize:   aws.Int32(int32(fn.Memory)),
		Environment:  &ltypes.Environment{Variables: fn.Environment},
	}); err != nil {
		return cfg, err
	}
	for _, d := range diffs {
		logf("%s", d)
	}
	return a.ready(ctx, fn.Name)
}

// getFunction returns the function's configuration, or nil when it does
// not exist.
func (a *applier) getFunction(ctx context.Context, name string) (*lambda.GetFunctionConfigurationOutput, error) {
	out, err := a.lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	var nf *ltypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, nil
	}
	return out, err
}

// transient reports whether the function is between states: Pending after
// a create, or with an update in progress.
func transient(cfg *lambda.GetFunctionConfigurationOutput) bool {
	return cfg.State == ltypes.StatePending || cfg.LastUpdateStatus == ltypes.LastUpdateStatusInProgress
}

// settled returns the configuration of the function once no change is in
// progress (whatever the outcome of the last one), or nil when it does not
// exist. A function that failed can still be fixed by new code or
// configuration, so this does not insist on Active.
func (a *applier) settled(ctx context.Context, name string) (*lambda.GetFunctionConfigurationOutput, error) {
	var last *lambda.GetFunctionConfigurationOutput
	err := poll(ctx, func() (bool, error) {
		cfg, err := a.getFunction(ctx, name)
		if err != nil || cfg == nil {
			return true, err
		}
		last = cfg
		return !transient(cfg), nil
	})
	if err != nil {
		if last != nil {
			return nil, fmt.Errorf("waiting for the last update to finish (state %s, last update %s): %w", last.State, last.LastUpdateStatus, err)
		}
		return nil, err
	}
	return last, nil
}

// ready waits for the change just made to finish and returns the
// configuration; it fails when the function or its last update failed.
func (a *applier) ready(ctx context.Context, name string) (*lambda.GetFunctionConfigurationOutput, error) {
	var last *lambda.GetFunctionConfigurationOutput
	err := poll(ctx, func() (bool, error) {
		cfg, err := a.getFunction(ctx, name)
		switch {
		case err != nil:
			return false, err
		case cfg == nil:
			// Not visible yet right after CreateFunction; keep looking.
			return false, nil
		}
		last = cfg
		if transient(cfg) {
			return false, nil
		}
		if cfg.State != ltypes.StateActive || cfg.LastUpdateStatus == ltypes.LastUpdateStatusFailed {
			return false, notReady(cfg)
		}
		return true, nil
	})
	if err != nil && last != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("waiting for State Active and LastUpdateStatus Successful (state %s, last update %s): %w", last.State, last.LastUpdateStatus, err)
	}
	return last, err
}

func notReady(cfg *lambda.GetFunctionConfigurationOutput) error {
	if cfg.LastUpdateStatus == ltypes.LastUpdateStatusFailed {
		return fmt.Errorf("last update failed (%s): %s", cfg.LastUpdateStatusReasonCode, aws.ToString(cfg.LastUpdateStatusReason))
	}
	msg := fmt.Sprintf("state %s", cfg.State)
	if r := aws.ToString(cfg.StateReason); r != "" {
		msg += fmt.Sprintf(" (%s): %s", cfg.StateReasonCode, r)
	}
	return errors.New(msg)
}

package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// application converges one application and returns how many changes it
// made.
//
// A missing application is created with the file's code, input (its
// schema discovered with DiscoverInputSchema when the file gives none),
// outputs and tags, then gets its reference tables
// (AddApplicationReferenceDataSource). An existing one is brought to the
// file's code, input, outputs and reference tables: what UpdateApplication
// can change in one call (code, input, the format of an output, a
// reference table) goes in one call; outputs and reference tables the file
// adds or drops are added or deleted one by one, each with the version the
// previous call left. Outputs are matched by in-application stream and
// destination, reference tables by table name. Tags are then made equal to
// the file's, and the application is started (from StartingPosition) or
// stopped as Start says, waiting until it is RUNNING or READY.
func (a *applier) application(ctx context.Context, app *Application) (int, error) {
	changes := 0
	logf := func(format string, args ...any) {
		changes++
		a.log(fmt.Sprintf("application %s: ", app.Name) + fmt.Sprintf(format, args...))
	}
	code := app.Code
	if app.CodeFile != "" && code == "" {
		data, err := os.ReadFile(app.CodeFile)
		if err != nil {
			return 0, fmt.Errorf("code_file: %w", err)
		}
		code = string(data)
	}
	inputs, err := a.appInputs(ctx, app)
	if err != nil {
		return 0, err
	}
	outputs, err := a.appOutputs(ctx, app)
	if err != nil {
		return 0, err
	}
	refs := appReferences(app)

	d, err := a.describeApp(ctx, app.Name)
	if err != nil {
		return 0, err
	}
	if d != nil && d.ApplicationStatus == katypes.ApplicationStatusDeleting {
		if err := a.appGone(ctx, app.Name); err != nil {
			return 0, err
		}
		d = nil
	}
	if d == nil {
		for i := range inputs {
			if inputs[i].InputSchema == nil {
				if inputs[i].InputSchema, err = a.discover(ctx, &inputs[i]); err != nil {
					return 0, err
				}
			}
		}
		in := &kinesisanalytics.CreateApplicationInput{
			ApplicationName: aws.String(app.Name),
			ApplicationCode: aws.String(code),
			Inputs:          inputs,
			Outputs:         outputs,
		}
		if app.Description != "" {
			in.ApplicationDescription = aws.String(app.Description)
		}
		for _, k := range slices.Sorted(maps.Keys(app.Tags)) {
			in.Tags = append(in.Tags, katypes.Tag{Key: aws.String(k), Value: aws.String(app.Tags[k])})
		}
		_, err := a.ac.CreateApplication(ctx, in)
		var inUse *katypes.ResourceInUseException
		switch {
		case errors.As(err, &inUse):
			// Created by someone else since we looked: converge that one.
		case err != nil:
			return 0, err
		default:
			logf("created (%s)", app.describe())
		}
		if d, err = a.appSettled(ctx, app.Name); err != nil {
			return changes, err
		}
	} else if d, err = a.appSettled(ctx, app.Name); err != nil {
		return changes, err
	}

	// What one UpdateApplication can carry.
	update := &katypes.ApplicationUpdate{}
	var diffs []string
	if aws.ToString(d.ApplicationCode) != code {
		update.ApplicationCodeUpdate = aws.String(code)
		diffs = append(diffs, "code changed")
	}
	if len(inputs) == 1 && len(d.InputDescriptions) == 1 {
		u, ds := inputUpdate(&inputs[0], &d.InputDescriptions[0])
		if len(ds) > 0 {
			update.InputUpdates = []katypes.InputUpdate{u}
			diffs = append(diffs, ds...)
		}
	} else if len(inputs) != len(d.InputDescriptions) {
		return changes, fmt.Errorf("the application has %d inputs on the server and %d in the file; delete it (kinesin apps rm %s) and apply again", len(d.InputDescriptions), len(inputs), app.Name)
	}
	var addOutputs []katypes.Output
	var deleteOutputs []katypes.OutputDescription
	have := map[string]*katypes.OutputDescription{}
	for i := range d.OutputDescriptions {
		o := &d.OutputDescriptions[i]
		have[outputKey(aws.ToString(o.Name), descriptionARN(o))] = o
	}
	wanted := map[string]bool{}
	for _, o := range outputs {
		key := outputKey(aws.ToString(o.Name), outputARN(&o))
		wanted[key] = true
		cur, ok := have[key]
		switch {
		case !ok:
			addOutputs = append(addOutputs, o)
		case formatOfDest(cur.DestinationSchema) != formatOfDest(o.DestinationSchema):
			update.OutputUpdates = append(update.OutputUpdates, katypes.OutputUpdate{OutputId: cur.OutputId, DestinationSchemaUpdate: o.DestinationSchema})
			diffs = append(diffs, fmt.Sprintf("output %s format %s → %s", key, formatOfDest(cur.DestinationSchema), formatOfDest(o.DestinationSchema)))
		}
	}
	for i := range d.OutputDescriptions {
		o := d.OutputDescriptions[i]
		if !wanted[outputKey(aws.ToString(o.Name), descriptionARN(&o))] {
			deleteOutputs = append(deleteOutputs, o)
		}
	}
	var addRefs []katypes.ReferenceDataSource
	var deleteRefs []katypes.ReferenceDataSourceDescription
	haveRefs := map[string]*katypes.ReferenceDataSourceDescription{}
	for i := range d.ReferenceDataSourceDescriptions {
		r := &d.ReferenceDataSourceDescriptions[i]
		haveRefs[aws.ToString(r.TableName)] = r
	}
	wantRefs := map[string]bool{}
	for _, r := range refs {
		name := aws.ToString(r.TableName)
		wantRefs[name] = true
		cur, ok := haveRefs[name]
		if !ok {
			addRefs = append(addRefs, r)
			continue
		}
		u := katypes.ReferenceDataSourceUpdate{ReferenceId: cur.ReferenceId}
		var ds []string
		if s := cur.S3ReferenceDataSourceDescription; s == nil || aws.ToString(s.BucketARN) != aws.ToString(r.S3ReferenceDataSource.BucketARN) || aws.ToString(s.FileKey) != aws.ToString(r.S3ReferenceDataSource.FileKey) {
			u.S3ReferenceDataSourceUpdate = &katypes.S3ReferenceDataSourceUpdate{
				BucketARNUpdate: r.S3ReferenceDataSource.BucketARN, FileKeyUpdate: r.S3ReferenceDataSource.FileKey, ReferenceRoleARNUpdate: r.S3ReferenceDataSource.ReferenceRoleARN,
			}
			ds = append(ds, fmt.Sprintf("reference %s object → %s %s", name, aws.ToString(r.S3ReferenceDataSource.BucketARN), aws.ToString(r.S3ReferenceDataSource.FileKey)))
		}
		if sd := diffShape("reference "+name+" ReferenceSchema", plain(reflect.ValueOf(r.ReferenceSchema)), plain(reflect.ValueOf(cur.ReferenceSchema))); len(sd) > 0 {
			u.ReferenceSchemaUpdate = r.ReferenceSchema
			ds = append(ds, fmt.Sprintf("reference %s schema changed", name))
		}
		if len(ds) > 0 {
			update.ReferenceDataSourceUpdates = append(update.ReferenceDataSourceUpdates, u)
			diffs = append(diffs, ds...)
		}
	}
	for _, r := range d.ReferenceDataSourceDescriptions {
		if !wantRefs[aws.ToString(r.TableName)] {
			deleteRefs = append(deleteRefs, r)
		}
	}

	if len(diffs) > 0 {
		if _, err := a.ac.UpdateApplication(ctx, &kinesisanalytics.UpdateApplicationInput{
			ApplicationName:             aws.String(app.Name),
			CurrentApplicationVersionId: d.ApplicationVersionId,
			ApplicationUpdate:           update,
		}); err != nil {
			return changes, err
		}
		for _, l := range diffs {
			logf("%s", l)
		}
		if d, err = a.appSettled(ctx, app.Name); err != nil {
			return changes, err
		}
	}
	for _, o := range deleteOutputs {
		if _, err := a.ac.DeleteApplicationOutput(ctx, &kinesisanalytics.DeleteApplicationOutputInput{
			ApplicationName: aws.String(app.Name), CurrentApplicationVersionId: d.ApplicationVersionId, OutputId: o.OutputId,
		}); err != nil {
			return changes, err
		}
		logf("output %s removed", outputKey(aws.ToString(o.Name), descriptionARN(&o)))
		if d, err = a.appSettled(ctx, app.Name); err != nil {
			return changes, err
		}
	}
	for _, o := range addOutputs {
		if _, err := a.ac.AddApplicationOutput(ctx, &kinesisanalytics.AddApplicationOutputInput{
			ApplicationName: aws.String(app.Name), CurrentApplicationVersionId: d.ApplicationVersionId, Output: &o,
		}); err != nil {
			return changes, err
		}
		logf("output %s added", outputKey(aws.ToString(o.Name), outputARN(&o)))
		if d, err = a.appSettled(ctx, app.Name); err != nil {
			return changes, err
		}
	}
	for _, r := range deleteRefs {
		if _, err := a.ac.DeleteApplicationReferenceDataSource(ctx, &kinesisanalytics.DeleteApplicationReferenceDataSourceInput{
			ApplicationName: aws.String(app.Name), CurrentApplicationVersionId: d.ApplicationVersionId, ReferenceId: r.ReferenceId,
		}); err != nil {
			return changes, err
		}
		logf("reference %s removed", aws.ToString(r.TableName))
		if d, err = a.appSettled(ctx, app.Name); err != nil {
			return changes, err
		}
	}
	for _, r := range addRefs {
		if _, err := a.ac.AddApplicationReferenceDataSource(ctx, &kinesisanalytics.AddApplicationReferenceDataSourceInput{
			ApplicationName: aws.String(app.Name), CurrentApplicationVersionId: d.ApplicationVersionId, ReferenceDataSource: &r,
		}); err != nil {
			return changes, err
		}
		logf("reference %s added (%s %s)", aws.ToString(r.TableName), aws.ToString(r.S3ReferenceDataSource.BucketARN), aws.ToString(r.S3ReferenceDataSource.FileKey))
		if d, err = a.appSettled(ctx, app.Name); err != nil {
			return changes, err
		}
	}

	if err := a.appTags(ctx, app, aws.ToString(d.ApplicationARN), logf); err != nil {
		return changes, err
	}

	switch {
	case app.Start && d.ApplicationStatus == katypes.ApplicationStatusReady:
		var configs []katypes.InputConfiguration
		for _, in := range d.InputDescriptions {
			configs = append(configs, katypes.InputConfiguration{
				Id:                                 in.InputId,
				InputStartingPositionConfiguration: &katypes.InputStartingPositionConfiguration{InputStartingPosition: app.StartingPosition},
			})
		}
		if _, err := a.ac.StartApplication(ctx, &kinesisanalytics.StartApplicationInput{ApplicationName: aws.String(app.Name), InputConfigurations: configs}); err != nil {
			return changes, err
		}
		if err := a.appStatus(ctx, app.Name, katypes.ApplicationStatusRunning); err != nil {
			return changes, err
		}
		logf("started from %s, RUNNING", app.StartingPosition)
	case !app.Start && d.ApplicationStatus == katypes.ApplicationStatusRunning:
		if _, err := a.ac.StopApplication(ctx, &kinesisanalytics.StopApplicationInput{ApplicationName: aws.String(app.Name)}); err != nil {
			return changes, err
		}
		if err := a.appStatus(ctx, app.Name, katypes.ApplicationStatusReady); err != nil {
			return changes, err
		}
		logf("stopped, READY")
	}
	return changes, nil
}

// describe says what an application is in one phrase, such as
// "ticker → DESTINATION_SQL_STREAM → stream:stats".
func (app *Application) describe() string {
	var parts []string
	for _, in := range app.Inputs {
		parts = append(parts, cmp.Or(aws.ToString(in.Stream), "firehose:"+aws.ToString(in.DeliveryStream)))
	}
	var outs []string
	for _, o := range app.Outputs {
		target := ""
		switch {
		case o.Stream != nil:
			target = "stream:" + *o.Stream
		case o.DeliveryStream != nil:
			target = "firehose:" + *o.DeliveryStream
		case o.Function != nil:
			target = "function:" + *o.Function
		}
		outs = append(outs, aws.ToString(o.Name)+" → "+target)
	}
	s := strings.Join(parts, ", ")
	if len(outs) > 0 {
		s += "; " + strings.Join(outs, ", ")
	}
	return s
}

func outputKey(name, arn string) string {
	short := arn
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 {
		short = arn[i+1:]
	}
	return name + " → " + short
}

func outputARN(o *katypes.Output) string {
	switch {
	case o.KinesisStreamsOutput != nil:
		return aws.ToString(o.KinesisStreamsOutput.ResourceARN)
	case o.KinesisFirehoseOutput != nil:
		return aws.ToString(o.KinesisFirehoseOutput.ResourceARN)
	case o.LambdaOutput != nil:
		return aws.ToString(o.LambdaOutput.ResourceARN)
	}
	return ""
}

func descriptionARN(o *katypes.OutputDescription) string {
	switch {
	case o.KinesisStreamsOutputDescription != nil:
		return aws.ToString(o.KinesisStreamsOutputDescription.ResourceARN)
	case o.KinesisFirehoseOutputDescription != nil:
		return aws.ToString(o.KinesisFirehoseOutputDescription.ResourceARN)
	case o.LambdaOutputDescription != nil:
		return aws.ToString(o.LambdaOutputDescription.ResourceARN)
	}
	return ""
}

func formatOfDest(d *katypes.DestinationSchema) katypes.RecordFormatType {
	if d == nil {
		return ""
	}
	return d.RecordFormatType
}

// inputUpdate compares the file's input with the server's and answers the
// update and one line per difference. A schema the file leaves out (to
// be discovered) is the server's to keep.
func inputUpdate(want *katypes.Input, have *katypes.InputDescription) (katypes.InputUpdate, []string) {
	u := katypes.InputUpdate{InputId: have.InputId}
	var diffs []string
	if w, h := aws.ToString(want.NamePrefix), aws.ToString(have.NamePrefix); w != h {
		u.NamePrefixUpdate = want.NamePrefix
		diffs = append(diffs, fmt.Sprintf("input NamePrefix %s → %s", orNone(h), w))
	}
	switch {
	case want.KinesisStreamsInput != nil:
		h := ""
		if have.KinesisStreamsInputDescription != nil {
			h = aws.ToString(have.KinesisStreamsInputDescription.ResourceARN)
		}
		if w := aws.ToString(want.KinesisStreamsInput.ResourceARN); w != h {
			u.KinesisStreamsInputUpdate = &katypes.KinesisStreamsInputUpdate{ResourceARNUpdate: want.KinesisStreamsInput.ResourceARN, RoleARNUpdate: want.KinesisStreamsInput.RoleARN}
			diffs = append(diffs, fmt.Sprintf("input %s → %s", orNone(h), w))
		}
	case want.KinesisFirehoseInput != nil:
		h := ""
		if have.KinesisFirehoseInputDescription != nil {
			h = aws.ToString(have.KinesisFirehoseInputDescription.ResourceARN)
		}
		if w := aws.ToString(want.KinesisFirehoseInput.ResourceARN); w != h {
			u.KinesisFirehoseInputUpdate = &katypes.KinesisFirehoseInputUpdate{ResourceARNUpdate: want.KinesisFirehoseInput.ResourceARN, RoleARNUpdate: want.KinesisFirehoseInput.RoleARN}
			diffs = append(diffs, fmt.Sprintf("input %s → %s", orNone(h), w))
		}
	}
	if want.InputSchema != nil {
		if sd := diffShape("input InputSchema", plain(reflect.ValueOf(want.InputSchema)), plain(reflect.ValueOf(have.InputSchema))); len(sd) > 0 {
			u.InputSchemaUpdate = &katypes.InputSchemaUpdate{
				RecordColumnUpdates:  want.InputSchema.RecordColumns,
				RecordEncodingUpdate: want.InputSchema.RecordEncoding,
				RecordFormatUpdate:   want.InputSchema.RecordFormat,
			}
			diffs = append(diffs, sd...)
		}
	}
	if want.InputParallelism != nil {
		w := aws.ToInt32(want.InputParallelism.Count)
		h := int32(1)
		if have.InputParallelism != nil && have.InputParallelism.Count != nil {
			h = *have.InputParallelism.Count
		}
		if w != h {
			u.InputParallelismUpdate = &katypes.InputParallelismUpdate{CountUpdate: aws.Int32(w)}
			diffs = append(diffs, fmt.Sprintf("input InputParallelism.Count %d → %d", h, w))
		}
	}
	return u, diffs
}

// appInputs builds the Inputs of CreateApplication from the file, names
// resolved to ARNs.
func (a *applier) appInputs(ctx context.Context, app *Application) ([]katypes.Input, error) {
	var out []katypes.Input
	for i, in := range app.Inputs {
		role := aws.String(cmp.Or(aws.ToString(in.RoleARN), DefaultAnalyticsRoleARN))
		x := katypes.Input{
			NamePrefix:       aws.String(cmp.Or(aws.ToString(in.NamePrefix), DefaultNamePrefix)),
			InputSchema:      in.InputSchema,
			InputParallelism: in.InputParallelism,
		}
		switch {
		case in.Stream != nil:
			arn := *in.Stream
			if !strings.HasPrefix(arn, "arn:") {
				var err error
				if arn, err = a.streamARN(ctx, arn, fmt.Sprintf("inputs[%d].Stream", i)); err != nil {
					return nil, err
				}
			}
			x.KinesisStreamsInput = &katypes.KinesisStreamsInput{ResourceARN: aws.String(arn), RoleARN: role}
		case in.DeliveryStream != nil:
			arn, err := a.deliveryStreamARN(ctx, *in.DeliveryStream)
			if err != nil {
				return nil, fmt.Errorf("inputs[%d].DeliveryStream %s: %w", i, *in.DeliveryStream, err)
			}
			x.KinesisFirehoseInput = &katypes.KinesisFirehoseInput{ResourceARN: aws.String(arn), RoleARN: role}
		}
		if in.Preprocessor != nil {
			arn, err := a.functionARN(ctx, *in.Preprocessor)
			if err != nil {
				return nil, fmt.Errorf("inputs[%d].Preprocessor %s: %w", i, *in.Preprocessor, err)
			}
			x.InputProcessingConfiguration = &katypes.InputProcessingConfiguration{
				InputLambdaProcessor: &katypes.InputLambdaProcessor{ResourceARN: aws.String(arn), RoleARN: role},
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// appOutputs builds the Outputs of CreateApplication from the file, names
// resolved to ARNs and the format JSON unless given.
func (a *applier) appOutputs(ctx context.Context, app *Application) ([]katypes.Output, error) {
	var out []katypes.Output
	for i, o := range app.Outputs {
		role := aws.String(cmp.Or(aws.ToString(o.RoleARN), DefaultAnalyticsRoleARN))
		x := katypes.Output{Name: o.Name, DestinationSchema: o.DestinationSchema}
		if x.DestinationSchema == nil {
			x.DestinationSchema = &katypes.DestinationSchema{RecordFormatType: katypes.RecordFormatTypeJson}
		}
		switch {
		case o.Stream != nil:
			arn := *o.Stream
			if !strings.HasPrefix(arn, "arn:") {
				var err error
				if arn, err = a.streamARN(ctx, arn, fmt.Sprintf("outputs[%d].Stream", i)); err != nil {
					return nil, err
				}
			}
			x.KinesisStreamsOutput = &katypes.KinesisStreamsOutput{ResourceARN: aws.String(arn), RoleARN: role}
		case o.DeliveryStream != nil:
			arn, err := a.deliveryStreamARN(ctx, *o.DeliveryStream)
			if err != nil {
				return nil, fmt.Errorf("outputs[%d].DeliveryStream %s: %w", i, *o.DeliveryStream, err)
			}
			x.KinesisFirehoseOutput = &katypes.KinesisFirehoseOutput{ResourceARN: aws.String(arn), RoleARN: role}
		case o.Function != nil:
			arn, err := a.functionARN(ctx, *o.Function)
			if err != nil {
				return nil, fmt.Errorf("outputs[%d].Function %s: %w", i, *o.Function, err)
			}
			x.LambdaOutput = &katypes.LambdaOutput{ResourceARN: aws.String(arn), RoleARN: role}
		}
		out = append(out, x)
	}
	return out, nil
}

func appReferences(app *Application) []katypes.ReferenceDataSource {
	var out []katypes.ReferenceDataSource
	for _, r := range app.References {
		out = append(out, katypes.ReferenceDataSource{
			TableName: r.TableName,
			S3ReferenceDataSource: &katypes.S3ReferenceDataSource{
				BucketARN: r.BucketARN, FileKey: r.FileKey,
				ReferenceRoleARN: aws.String(cmp.Or(aws.ToString(r.RoleARN), DefaultAnalyticsRoleARN)),
			},
			ReferenceSchema: r.ReferenceSchema,
		})
	}
	return out
}

func (a *applier) deliveryStreamARN(ctx context.Context, name string) (string, error) {
	if strings.HasPrefix(name, "arn:") {
		return name, nil
	}
	if a.fc == nil {
		return "", errors.New("there is no Firehose client to look up the delivery stream's ARN")
	}
	out, err := a.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.DeliveryStreamDescription.DeliveryStreamARN), nil
}

func (a *applier) functionARN(ctx context.Context, name string) (string, error) {
	if strings.HasPrefix(name, "arn:") {
		return name, nil
	}
	if a.lc == nil {
		return "", errors.New("there is no Lambda client to look up the function's ARN")
	}
	out, err := a.lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.FunctionArn), nil
}

// discover asks the server for the schema of an input's records
// (DiscoverInputSchema, sampling from TRIM_HORIZON).
func (a *applier) discover(ctx context.Context, in *katypes.Input) (*katypes.SourceSchema, error) {
	req := &kinesisanalytics.DiscoverInputSchemaInput{
		InputStartingPositionConfiguration: &katypes.InputStartingPositionConfiguration{InputStartingPosition: katypes.InputStartingPositionTrimHorizon},
		InputProcessingConfiguration:       in.InputProcessingConfiguration,
	}
	switch {
	case in.KinesisStreamsInput != nil:
		req.ResourceARN, req.RoleARN = in.KinesisStreamsInput.ResourceARN, in.KinesisStreamsInput.RoleARN
	case in.KinesisFirehoseInput != nil:
		req.ResourceARN, req.RoleARN = in.KinesisFirehoseInput.ResourceARN, in.KinesisFirehoseInput.RoleARN
	}
	out, err := a.ac.DiscoverInputSchema(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("discovering the input schema of %s (give InputSchema, or put records into the stream first): %w", aws.ToString(req.ResourceARN), err)
	}
	return out.InputSchema, nil
}

// describeApp returns the application, or nil when it does not exist.
func (a *applier) describeApp(ctx context.Context, name string) (*katypes.ApplicationDetail, error) {
	out, err := a.ac.DescribeApplication(ctx, &kinesisanalytics.DescribeApplicationInput{ApplicationName: aws.String(name)})
	var nf *katypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if out.ApplicationDetail == nil {
		return nil, errors.New("DescribeApplication answered without an application")
	}
	return out.ApplicationDetail, nil
}

// appSettled waits until no change is in progress (READY or RUNNING) and
// returns the application.
func (a *applier) appSettled(ctx context.Context, name string) (*katypes.ApplicationDetail, error) {
	var last *katypes.ApplicationDetail
	err := poll(ctx, func() (bool, error) {
		d, err := a.describeApp(ctx, name)
		switch {
		case err != nil:
			return false, err
		case d == nil:
			return false, nil // not visible yet
		case d.ApplicationStatus == katypes.ApplicationStatusDeleting:
			return false, errors.New("the application is being deleted")
		}
		last = d
		return d.ApplicationStatus == katypes.ApplicationStatusReady || d.ApplicationStatus == katypes.ApplicationStatusRunning, nil
	})
	if err != nil {
		if last != nil && ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for READY or RUNNING (status %s): %w", last.ApplicationStatus, err)
		}
		return nil, err
	}
	return last, nil
}

// appStatus waits for the status want; an application that settles on
// the other stable status has failed to get there.
func (a *applier) appStatus(ctx context.Context, name string, want katypes.ApplicationStatus) error {
	return poll(ctx, func() (bool, error) {
		d, err := a.describeApp(ctx, name)
		switch {
		case err != nil:
			return false, err
		case d == nil:
			return false, errors.New("the application was deleted")
		case d.ApplicationStatus == want:
			return true, nil
		case want == katypes.ApplicationStatusRunning && d.ApplicationStatus == katypes.ApplicationStatusReady:
			return false, errors.New("the application went back to READY instead of RUNNING (see the server's log)")
		}
		return false, nil
	})
}

func (a *applier) appGone(ctx context.Context, name string) error {
	return poll(ctx, func() (bool, error) {
		d, err := a.describeApp(ctx, name)
		return d == nil, err
	})
}

// appTags makes the application's tags equal to the file's.
func (a *applier) appTags(ctx context.Context, app *Application, arn string, logf func(string, ...any)) error {
	out, err := a.ac.ListTagsForResource(ctx, &kinesisanalytics.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return err
	}
	have := map[string]string{}
	for _, t := range out.Tags {
		have[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	var remove []string
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, keep := app.Tags[k]; !keep {
			remove = append(remove, k)
		}
	}
	var add []katypes.Tag
	for _, k := range slices.Sorted(maps.Keys(app.Tags)) {
		if v, ok := have[k]; !ok || v != app.Tags[k] {
			add = append(add, katypes.Tag{Key: aws.String(k), Value: aws.String(app.Tags[k])})
		}
	}
	if len(remove) > 0 {
		if _, err := a.ac.UntagResource(ctx, &kinesisanalytics.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: remove}); err != nil {
			return err
		}
		for _, k := range remove {
			logf("tag %s removed", k)
		}
	}
	if len(add) > 0 {
		if _, err := a.ac.TagResource(ctx, &kinesisanalytics.TagResourceInput{ResourceARN: aws.String(arn), Tags: add}); err != nil {
			return err
		}
		for _, t := range add {
			k, v := aws.ToString(t.Key), aws.ToString(t.Value)
			if old, ok := have[k]; ok {
				logf("tag %s=%s (was %s)", k, v, old)
			} else {
				logf("tag %s=%s added", k, v)
			}
		}
	}
	return nil
}

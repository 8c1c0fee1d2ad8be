package analytics

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/awsservice"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/sinks/process"
	"github.com/kinesin/kinesin/sinks/source"
)

// Ids: AWS assigns an input, output, reference data source or CloudWatch
// logging option the id "<version>.<n>": the application version that
// added it (1 for those given to CreateApplication) and its place among
// the ones added then ("1.1", "1.2", then "2.1" for an output added by the
// call that made version 2).
func itemID(version int64, n int) *string {
	s := strconv.FormatInt(version, 10) + "." + strconv.Itoa(n)
	return &s
}

func ptr[T any](v T) *T { return &v }

// inAppStreams are the in-application streams of an input: NamePrefix_001
// up to the InputParallelism count.
func inAppStreams(prefix string, count int32) []string {
	names := make([]string, count)
	for i := range names {
		names[i] = fmt.Sprintf("%s_%03d", prefix, i+1)
	}
	return names
}

// buildInput checks an Input beyond the model's constraints and answers
// it as described.
func buildInput(in types.Input, id *string) (types.InputDescription, error) {
	d := types.InputDescription{InputId: id, NamePrefix: in.NamePrefix, InputSchema: in.InputSchema,
		InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{}}
	switch ks, kf := in.KinesisStreamsInput, in.KinesisFirehoseInput; {
	case (ks == nil) == (kf == nil):
		return d, invalidArgument.New("Either KinesisStreamsInput or KinesisFirehoseInput is required.")
	case ks != nil:
		if _, err := source.StreamName(*ks.ResourceARN); err != nil {
			return d, invalidArgument.New("KinesisStreamsInput ResourceARN %s is not a Kinesis stream ARN.", *ks.ResourceARN)
		}
		d.KinesisStreamsInputDescription = &types.KinesisStreamsInputDescription{ResourceARN: ks.ResourceARN, RoleARN: ks.RoleARN}
	default:
		if _, err := host.DeliveryStreamName(*kf.ResourceARN); err != nil {
			return d, invalidArgument.New("KinesisFirehoseInput ResourceARN %s is not a Firehose delivery stream ARN.", *kf.ResourceARN)
		}
		d.KinesisFirehoseInputDescription = &types.KinesisFirehoseInputDescription{ResourceARN: kf.ResourceARN, RoleARN: kf.RoleARN}
	}
	count := int32(1)
	if in.InputParallelism != nil && in.InputParallelism.Count != nil {
		count = *in.InputParallelism.Count
	}
	d.InputParallelism = &types.InputParallelism{Count: &count}
	d.InAppStreamNames = inAppStreams(*in.NamePrefix, count)
	if _, err := schemaColumns(in.InputSchema, "InputSchema"); err != nil {
		return d, err
	}
	if p := in.InputProcessingConfiguration; p != nil {
		pd, err := buildProcessing(p)
		if err != nil {
			return d, err
		}
		d.InputProcessingConfigurationDescription = pd
	}
	return d, nil
}

func buildProcessing(p *types.InputProcessingConfiguration) (*types.InputProcessingConfigurationDescription, error) {
	l := p.InputLambdaProcessor
	if _, _, err := process.ParseLambdaArn(*l.ResourceARN); err != nil {
		return nil, invalidArgument.New("InputLambdaProcessor ResourceARN %s is not a Lambda function ARN.", *l.ResourceARN)
	}
	return &types.InputProcessingConfigurationDescription{InputLambdaProcessorDescription: &types.InputLambdaProcessorDescription{
		ResourceARN: l.ResourceARN, RoleARN: l.RoleARN}}, nil
}

// buildOutput checks an Output beyond the model's constraints and answers
// it as described.
func buildOutput(o types.Output, id *string) (types.OutputDescription, error) {
	d := types.OutputDescription{OutputId: id, Name: o.Name, DestinationSchema: o.DestinationSchema}
	n := 0
	if k := o.KinesisStreamsOutput; k != nil {
		n++
		if _, err := source.StreamName(*k.ResourceARN); err != nil {
			return d, invalidArgument.New("KinesisStreamsOutput ResourceARN %s is not a Kinesis stream ARN.", *k.ResourceARN)
		}
		d.KinesisStreamsOutputDescription = &types.KinesisStreamsOutputDescription{ResourceARN: k.ResourceARN, RoleARN: k.RoleARN}
	}
	if k := o.KinesisFirehoseOutput; k != nil {
		n++
		if _, err := host.DeliveryStreamName(*k.ResourceARN); err != nil {
			return d, invalidArgument.New("KinesisFirehoseOutput ResourceARN %s is not a Firehose delivery stream ARN.", *k.ResourceARN)
		}
		d.KinesisFirehoseOutputDescription = &types.KinesisFirehoseOutputDescription{ResourceARN: k.ResourceARN, RoleARN: k.RoleARN}
	}
	if k := o.LambdaOutput; k != nil {
		n++
		if _, _, err := process.ParseLambdaArn(*k.ResourceARN); err != nil {
			return d, invalidArgument.New("LambdaOutput ResourceARN %s is not a Lambda function ARN.", *k.ResourceARN)
		}
		d.LambdaOutputDescription = &types.LambdaOutputDescription{ResourceARN: k.ResourceARN, RoleARN: k.RoleARN}
	}
	if n != 1 {
		return d, invalidArgument.New("Exactly one of KinesisStreamsOutput, KinesisFirehoseOutput and LambdaOutput is required.")
	}
	return d, nil
}

func buildReference(r types.ReferenceDataSource, id *string) (types.ReferenceDataSourceDescription, error) {
	d := types.ReferenceDataSourceDescription{ReferenceId: id, TableName: r.TableName, ReferenceSchema: r.ReferenceSchema}
	s3 := r.S3ReferenceDataSource
	if s3 == nil {
		return d, invalidArgument.New("S3ReferenceDataSource is required.")
	}
	d.S3ReferenceDataSourceDescription = &types.S3ReferenceDataSourceDescription{BucketARN: s3.BucketARN, FileKey: s3.FileKey, ReferenceRoleARN: s3.ReferenceRoleARN}
	if _, err := schemaColumns(r.ReferenceSchema, "ReferenceSchema"); err != nil {
		return d, err
	}
	return d, nil
}

// mergeTags adds (or overwrites) tags in order of first appearance.
func mergeTags(have []Tag, add []types.Tag) []Tag {
	tags := make([]Tag, len(add))
	for i, t := range add {
		tags[i] = Tag{Key: *t.Key, Value: t.Value}
	}
	return awsservice.MergeTags(have, tags, tagKey)
}

func tagKey(t Tag) string { return t.Key }

func (s *Service) tooManyTags(name string) error {
	return tooManyTags.New("Application %s would have more than %d tags.", name, maxTags)
}

func (s *Service) create(c *call) (any, error) {
	in, err := awsservice.Input(c, checkCreate)
	if err != nil {
		return nil, err
	}
	name := *in.ApplicationName
	if len(in.Inputs) > maxInputs {
		return nil, invalidArgument.New("An application takes one streaming source; %d inputs were given.", len(in.Inputs))
	}
	if len(in.Outputs) > maxOutputs {
		return nil, invalidArgument.New("An application takes up to %d outputs; %d were given.", maxOutputs, len(in.Outputs))
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	m := &Meta{Name: name, Description: in.ApplicationDescription, Code: in.ApplicationCode, Status: StatusReady,
		Version: 1, Created: now, Updated: now}
	for i, inp := range in.Inputs {
		d, err := buildInput(inp, itemID(1, i+1))
		if err != nil {
			return nil, err
		}
		m.Inputs = append(m.Inputs, d)
	}
	for i, o := range in.Outputs {
		d, err := buildOutput(o, itemID(1, i+1))
		if err != nil {
			return nil, err
		}
		m.Outputs = append(m.Outputs, d)
	}
	for i, l := range in.CloudWatchLoggingOptions {
		m.Logging = append(m.Logging, types.CloudWatchLoggingOptionDescription{CloudWatchLoggingOptionId: itemID(1, i+1),
			LogStreamARN: l.LogStreamARN, RoleARN: l.RoleARN})
	}
	m.Tags = mergeTags(nil, in.Tags)
	if len(m.Tags) > maxTags {
		return nil, s.tooManyTags(name)
	}
	if err := s.checkCode(m); err != nil {
		return nil, err
	}
	all, err := s.st.List(c.Ctx)
	if err != nil {
		return nil, err
	}
	if len(all) >= maxApplications {
		for _, a := range all {
			if a.Name == name {
				return nil, s.inUse(name)
			}
		}
		return nil, limitExceeded.New("Account %s has %d applications, the most it can have.", s.cfg.AccountID, maxApplications)
	}
	ok, err := s.st.Create(c.Ctx, m.Name, m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.inUse(name)
	}
	return createOut{ApplicationSummary: s.summary(m)}, nil
}

func (s *Service) inUse(name string) error {
	return resourceInUse.New("Application %s already exists", name)
}

func (s *Service) summary(m *Meta) summaryOut {
	return summaryOut{ApplicationName: m.Name, ApplicationARN: s.arn(m.Name), ApplicationStatus: m.Status}
}

func (s *Service) describe(c *call) (any, error) {
	in, err := awsservice.Input(c, checkNameOnly)
	if err != nil {
		return nil, err
	}
	m, _, err := s.st.Get(c.Ctx, *in.ApplicationName)
	if err != nil {
		return nil, s.storeErr(*in.ApplicationName, err)
	}
	d := detailOut{ApplicationName: m.Name, ApplicationDescription: m.Description, ApplicationARN: s.arn(m.Name),
		ApplicationStatus: m.Status, CreateTimestamp: ts(m.Created), LastUpdateTimestamp: ts(m.Updated),
		InputDescriptions: m.Inputs, OutputDescriptions: m.Outputs, ReferenceDataSourceDescriptions: m.References,
		CloudWatchLoggingOptionDescriptions: m.Logging, ApplicationCode: m.Code, ApplicationVersionId: m.Version}
	if d.InputDescriptions == nil {
		d.InputDescriptions = []types.InputDescription{}
	}
	if d.OutputDescriptions == nil {
		d.OutputDescriptions = []types.OutputDescription{}
	}
	return describeOut{ApplicationDetail: d}, nil
}

func (s *Service) list(c *call) (any, error) {
	in, err := awsservice.Input(c, checkList)
	if err != nil {
		return nil, err
	}
	all, err := s.st.List(c.Ctx)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	page, more := awsservice.Page(all, func(m *Meta) string { return m.Name }, in.ExclusiveStartApplicationName, limit)
	out := listOut{ApplicationSummaries: []summaryOut{}, HasMoreApplications: more}
	for _, m := range page {
		out.ApplicationSummaries = append(out.ApplicationSummaries, s.summary(m))
	}
	return out, nil
}

func (s *Service) delete(c *call) (any, error) {
	in, err := awsservice.Input(c, checkDelete)
	if err != nil {
		return nil, err
	}
	name := *in.ApplicationName
	_, err = s.st.Update(c.Ctx, name, func(m *Meta) error {
		if !m.Created.Equal(in.CreateTimestamp.Time().Truncate(time.Millisecond)) && !sameSecond(m.Created, in.CreateTimestamp.Time()) {
			return invalidArgument.New("CreateTimestamp %s does not match the creation time of application %s.",
				in.CreateTimestamp.Time().UTC().Format(time.RFC3339Nano), name)
		}
		if m.Status == StatusDeleting {
			return errSkip
		}
		m.Status = StatusDeleting
		return nil
	})
	if errors.Is(err, errSkip) {
		return nil, nil
	}
	return nil, s.storeErr(name, err)
}

// sameSecond accepts a CreateTimestamp sent with whole seconds (as some
// clients print and parse timestamps).
func sameSecond(created, given time.Time) bool {
	return given.Nanosecond() == 0 && created.Truncate(time.Second).Equal(given)
}

// change applies fn to an application at version version, as every
// configuration change does: the application must be READY or RUNNING
// and at that version; its version goes up by one, and a RUNNING one goes
// UPDATING (the processes running it restart it on the new
// configuration). fn gets the new version.
func (s *Service) change(ctx context.Context, name string, version int64, fn func(m *Meta, next int64) error) error {
	_, err := s.st.Update(ctx, name, func(m *Meta) error {
		if m.Status != StatusReady && m.Status != StatusRunning {
			return resourceInUse.New("Application %s is %s; it must be READY or RUNNING to be updated.", name, m.Status)
		}
		if m.Version != version {
			return concurrentMod.New("Current version of application %s is %d, not %d.", name, m.Version, version)
		}
		if err := fn(m, m.Version+1); err != nil {
			return err
		}
		m.Version++
		m.Updated = time.Now().UTC().Truncate(time.Millisecond)
		if m.Status == StatusRunning {
			m.Status = StatusUpdating
		}
		return nil
	})
	return s.storeErr(name, err)
}

// changeOp is an operation that changes an application at the version
// its request names: it decodes the request and applies fn as change does.
func changeOp[T any, PT interface {
	*T
	target() *appChange
}](s *Service, c *call, check func(v *awserr.Violations, in *T), fn func(in PT, m *Meta, next int64) error) (any, error) {
	in, err := awsservice.Input(c, check)
	if err != nil {
		return nil, err
	}
	a := PT(in).target()
	return nil, s.change(c.Ctx, *a.ApplicationName, *a.CurrentApplicationVersionId, func(m *Meta, next int64) error {
		return fn(in, m, next)
	})
}

func (s *Service) start(c *call) (any, error) {
	in, err := awsservice.Input(c, checkStart)
	if err != nil {
		return nil, err
	}
	name := *in.ApplicationName
	_, err = s.st.Update(c.Ctx, name, func(m *Meta) error {
		if m.Status != StatusReady {
			return resourceInUse.New("Application %s is %s; only a READY application can be started.", name, m.Status)
		}
		pos := types.InputStartingPosition("")
		for _, ic := range in.InputConfigurations {
			i := findInput(m, *ic.Id)
			if i < 0 {
				return resourceNotFound.New("Input %s not found in application %s", *ic.Id, name)
			}
			p := ic.InputStartingPositionConfiguration.InputStartingPosition
			if p == "" {
				p = types.InputStartingPositionNow
			}
			if p == types.InputStartingPositionTrimHorizon && m.Inputs[i].KinesisFirehoseInputDescription != nil {
				return invalidArgument.New("TRIM_HORIZON is not available for a Firehose delivery stream input.")
			}
			m.Inputs[i].InputStartingPositionConfiguration = &types.InputStartingPositionConfiguration{InputStartingPosition: p}
			pos = p
		}
		if len(m.Inputs) > 0 && pos == "" {
			return invalidArgument.New("InputConfigurations must configure input %s.", *m.Inputs[0].InputId)
		}
		if err := s.checkRunnable(m); err != nil {
			return err
		}
		if pos == "" {
			pos = types.InputStartingPositionNow
		}
		m.Start, m.RunID, m.Started, m.Status = pos, uuid.New(), time.Now().UTC(), StatusStarting
		return nil
	})
	return nil, s.storeErr(name, err)
}

func findInput(m *Meta, id string) int {
	return indexByID(m.Inputs, func(d types.InputDescription) *string { return d.InputId }, id)
}

// The ids of an application's parts.
func outputID(o types.OutputDescription) *string                 { return o.OutputId }
func referenceID(r types.ReferenceDataSourceDescription) *string { return r.ReferenceId }
func loggingID(l types.CloudWatchLoggingOptionDescription) *string {
	return l.CloudWatchLoggingOptionId
}

// indexByID is the index of the part of items whose id is want (-1: none).
func indexByID[T any](items []T, id func(T) *string, want string) int {
	return slices.IndexFunc(items, func(t T) bool { return deref(id(t)) == want })
}

// removeByID removes the part of *items whose id is want; false: there is
// none.
func removeByID[T any](items *[]T, id func(T) *string, want string) bool {
	i := indexByID(*items, id, want)
	if i < 0 {
		return false
	}
	*items = append((*items)[:i], (*items)[i+1:]...)
	return true
}

func (s *Service) stop(c *call) (any, error) {
	in, err := awsservice.Input(c, checkNameOnly)
	if err != nil {
		return nil, err
	}
	name := *in.ApplicationName
	_, err = s.st.Update(c.Ctx, name, func(m *Meta) error {
		switch m.Status {
		case StatusReady, StatusStopping:
			return errSkip
		case StatusDeleting:
			return resourceInUse.New("Application %s is DELETING.", name)
		}
		m.Status = StatusStopping
		return nil
	})
	if errors.Is(err, errSkip) {
		return nil, nil
	}
	return nil, s.storeErr(name, err)
}

func (s *Service) update(c *call) (any, error) {
	return changeOp(s, c, checkUpdate, func(in *updateIn, m *Meta, _ int64) error {
		u := in.ApplicationUpdate
		if u.ApplicationCodeUpdate != nil {
			m.Code = u.ApplicationCodeUpdate
		}
		for _, iu := range u.InputUpdates {
			if err := applyInputUpdate(m, iu); err != nil {
				return err
			}
		}
		for _, ou := range u.OutputUpdates {
			if err := applyOutputUpdate(m, ou); err != nil {
				return err
			}
		}
		for _, ru := range u.ReferenceDataSourceUpdates {
			if err := applyReferenceUpdate(m, ru); err != nil {
				return err
			}
		}
		for _, lu := range u.CloudWatchLoggingOptionUpdates {
			i := indexByID(m.Logging, loggingID, *lu.CloudWatchLoggingOptionId)
			if i < 0 {
				return resourceNotFound.New("CloudWatch logging option %s not found in application %s", *lu.CloudWatchLoggingOptionId, m.Name)
			}
			if lu.LogStreamARNUpdate != nil {
				m.Logging[i].LogStreamARN = lu.LogStreamARNUpdate
			}
			if lu.RoleARNUpdate != nil {
				m.Logging[i].RoleARN = lu.RoleARNUpdate
			}
		}
		return s.checkCode(m)
	})
}

func applyInputUpdate(m *Meta, iu types.InputUpdate) error {
	i := findInput(m, *iu.InputId)
	if i < 0 {
		return resourceNotFound.New("Input %s not found in application %s", *iu.InputId, m.Name)
	}
	d := &m.Inputs[i]
	if iu.NamePrefixUpdate != nil {
		d.NamePrefix = iu.NamePrefixUpdate
	}
	if k := iu.KinesisStreamsInputUpdate; k != nil {
		if d.KinesisStreamsInputDescription == nil {
			return invalidArgument.New("Input %s does not read a Kinesis stream; KinesisStreamsInputUpdate does not apply.", *iu.InputId)
		}
		if k.ResourceARNUpdate != nil {
			if _, err := source.StreamName(*k.ResourceARNUpdate); err != nil {
				return invalidArgument.New("ResourceARNUpdate %s is not a Kinesis stream ARN.", *k.ResourceARNUpdate)
			}
			d.KinesisStreamsInputDescription.ResourceARN = k.ResourceARNUpdate
		}
		if k.RoleARNUpdate != nil {
			d.KinesisStreamsInputDescription.RoleARN = k.RoleARNUpdate
		}
	}
	if k := iu.KinesisFirehoseInputUpdate; k != nil {
		if d.KinesisFirehoseInputDescription == nil {
			return invalidArgument.New("Input %s does not read a Firehose delivery stream; KinesisFirehoseInputUpdate does not apply.", *iu.InputId)
		}
		if k.ResourceARNUpdate != nil {
			if _, err := host.DeliveryStreamName(*k.ResourceARNUpdate); err != nil {
				return invalidArgument.New("ResourceARNUpdate %s is not a Firehose delivery stream ARN.", *k.ResourceARNUpdate)
			}
			d.KinesisFirehoseInputDescription.ResourceARN = k.ResourceARNUpdate
		}
		if k.RoleARNUpdate != nil {
			d.KinesisFirehoseInputDescription.RoleARN = k.RoleARNUpdate
		}
	}
	if su := iu.InputSchemaUpdate; su != nil {
		schema := *d.InputSchema
		if su.RecordFormatUpdate != nil {
			schema.RecordFormat = su.RecordFormatUpdate
		}
		if su.RecordEncodingUpdate != nil {
			schema.RecordEncoding = su.RecordEncodingUpdate
		}
		if su.RecordColumnUpdates != nil {
			schema.RecordColumns = su.RecordColumnUpdates
		}
		if _, err := schemaColumns(&schema, "InputSchema"); err != nil {
			return err
		}
		d.InputSchema = &schema
	}
	if pu := iu.InputParallelismUpdate; pu != nil && pu.CountUpdate != nil {
		d.InputParallelism = &types.InputParallelism{Count: pu.CountUpdate}
	}
	if pu := iu.InputProcessingConfigurationUpdate; pu != nil {
		pd := d.InputProcessingConfigurationDescription
		if pd == nil || pd.InputLambdaProcessorDescription == nil {
			return invalidArgument.New("Input %s has no input processing configuration to update.", *iu.InputId)
		}
		l := *pd.InputLambdaProcessorDescription
		if r := pu.InputLambdaProcessorUpdate.ResourceARNUpdate; r != nil {
			if _, _, err := process.ParseLambdaArn(*r); err != nil {
				return invalidArgument.New("ResourceARNUpdate %s is not a Lambda function ARN.", *r)
			}
			l.ResourceARN = r
		}
		if r := pu.InputLambdaProcessorUpdate.RoleARNUpdate; r != nil {
			l.RoleARN = r
		}
		d.InputProcessingConfigurationDescription = &types.InputProcessingConfigurationDescription{InputLambdaProcessorDescription: &l}
	}
	count := int32(1)
	if d.InputParallelism != nil && d.InputParallelism.Count != nil {
		count = *d.InputParallelism.Count
	}
	d.InAppStreamNames = inAppStreams(deref(d.NamePrefix), count)
	return nil
}

func applyOutputUpdate(m *Meta, ou types.OutputUpdate) error {
	i := indexByID(m.Outputs, outputID, *ou.OutputId)
	if i < 0 {
		return resourceNotFound.New("Output %s not found in application %s", *ou.OutputId, m.Name)
	}
	cur := m.Outputs[i]
	o := types.Output{Name: cur.Name, DestinationSchema: cur.DestinationSchema}
	if d := cur.KinesisStreamsOutputDescription; d != nil {
		o.KinesisStreamsOutput = &types.KinesisStreamsOutput{ResourceARN: d.ResourceARN, RoleARN: d.RoleARN}
	}
	if d := cur.KinesisFirehoseOutputDescription; d != nil {
		o.KinesisFirehoseOutput = &types.KinesisFirehoseOutput{ResourceARN: d.ResourceARN, RoleARN: d.RoleARN}
	}
	if d := cur.LambdaOutputDescription; d != nil {
		o.LambdaOutput = &types.LambdaOutput{ResourceARN: d.ResourceARN, RoleARN: d.RoleARN}
	}
	if ou.NameUpdate != nil {
		o.Name = ou.NameUpdate
	}
	if ou.DestinationSchemaUpdate != nil {
		o.DestinationSchema = ou.DestinationSchemaUpdate
	}
	// A destination update replaces the destination (an output has one).
	or := func(r *string, old *string) *string {
		if r != nil {
			return r
		}
		return old
	}
	oldRole := func() *string {
		switch {
		case o.KinesisStreamsOutput != nil:
			return o.KinesisStreamsOutput.RoleARN
		case o.KinesisFirehoseOutput != nil:
			return o.KinesisFirehoseOutput.RoleARN
		case o.LambdaOutput != nil:
			return o.LambdaOutput.RoleARN
		}
		return nil
	}()
	oldARN := func(kind string) *string {
		switch {
		case kind == "ks" && o.KinesisStreamsOutput != nil:
			return o.KinesisStreamsOutput.ResourceARN
		case kind == "kf" && o.KinesisFirehoseOutput != nil:
			return o.KinesisFirehoseOutput.ResourceARN
		case kind == "l" && o.LambdaOutput != nil:
			return o.LambdaOutput.ResourceARN
		}
		return nil
	}
	switch {
	case ou.KinesisStreamsOutputUpdate != nil:
		k := ou.KinesisStreamsOutputUpdate
		o.KinesisStreamsOutput = &types.KinesisStreamsOutput{ResourceARN: or(k.ResourceARNUpdate, oldARN("ks")), RoleARN: or(k.RoleARNUpdate, oldRole)}
		o.KinesisFirehoseOutput, o.LambdaOutput = nil, nil
	case ou.KinesisFirehoseOutputUpdate != nil:
		k := ou.KinesisFirehoseOutputUpdate
		o.KinesisFirehoseOutput = &types.KinesisFirehoseOutput{ResourceARN: or(k.ResourceARNUpdate, oldARN("kf")), RoleARN: or(k.RoleARNUpdate, oldRole)}
		o.KinesisStreamsOutput, o.LambdaOutput = nil, nil
	case ou.LambdaOutputUpdate != nil:
		k := ou.LambdaOutputUpdate
		o.LambdaOutput = &types.LambdaOutput{ResourceARN: or(k.ResourceARNUpdate, oldARN("l")), RoleARN: or(k.RoleARNUpdate, oldRole)}
		o.KinesisStreamsOutput, o.KinesisFirehoseOutput = nil, nil
	}
	if (o.KinesisStreamsOutput != nil && o.KinesisStreamsOutput.ResourceARN == nil) ||
		(o.KinesisFirehoseOutput != nil && o.KinesisFirehoseOutput.ResourceARN == nil) ||
		(o.LambdaOutput != nil && o.LambdaOutput.ResourceARN == nil) {
		return invalidArgument.New("ResourceARNUpdate is required to change the destination type of output %s.", *ou.OutputId)
	}
	d, err := buildOutput(o, cur.OutputId)
	if err != nil {
		return err
	}
	m.Outputs[i] = d
	return nil
}

func applyReferenceUpdate(m *Meta, ru types.ReferenceDataSourceUpdate) error {
	i := indexByID(m.References, referenceID, *ru.ReferenceId)
	if i < 0 {
		return resourceNotFound.New("Reference data source %s not found in application %s", *ru.ReferenceId, m.Name)
	}
	d := m.References[i]
	if ru.TableNameUpdate != nil {
		d.TableName = ru.TableNameUpdate
	}
	if su := ru.S3ReferenceDataSourceUpdate; su != nil {
		s3 := *d.S3ReferenceDataSourceDescription
		if su.BucketARNUpdate != nil {
			s3.BucketARN = su.BucketARNUpdate
		}
		if su.FileKeyUpdate != nil {
			s3.FileKey = su.FileKeyUpdate
		}
		if su.ReferenceRoleARNUpdate != nil {
			s3.ReferenceRoleARN = su.ReferenceRoleARNUpdate
		}
		d.S3ReferenceDataSourceDescription = &s3
	}
	if ru.ReferenceSchemaUpdate != nil {
		if _, err := schemaColumns(ru.ReferenceSchemaUpdate, "ReferenceSchema"); err != nil {
			return err
		}
		d.ReferenceSchema = ru.ReferenceSchemaUpdate
	}
	m.References[i] = d
	return nil
}

func (s *Service) addInput(c *call) (any, error) {
	return changeOp(s, c, checkAddInput, func(in *addInputIn, m *Meta, next int64) error {
		if len(m.Inputs) >= maxInputs {
			return invalidArgument.New("Application %s already has a streaming source; an application takes one.", m.Name)
		}
		d, err := buildInput(*in.Input, itemID(next, 1))
		if err != nil {
			return err
		}
		m.Inputs = append(m.Inputs, d)
		return s.checkCode(m)
	})
}

func (s *Service) addOutput(c *call) (any, error) {
	return changeOp(s, c, checkAddOutput, func(in *addOutputIn, m *Meta, next int64) error {
		if len(m.Outputs) >= maxOutputs {
			return invalidArgument.New("Application %s already has %d outputs, the most an application can have.", m.Name, maxOutputs)
		}
		d, err := buildOutput(*in.Output, itemID(next, 1))
		if err != nil {
			return err
		}
		m.Outputs = append(m.Outputs, d)
		return nil
	})
}

func (s *Service) addReference(c *call) (any, error) {
	return changeOp(s, c, checkAddReference, func(in *addReferenceIn, m *Meta, next int64) error {
		if len(m.References) >= maxReferences {
			return invalidArgument.New("Application %s already has a reference data source; an application takes one.", m.Name)
		}
		d, err := buildReference(*in.ReferenceDataSource, itemID(next, 1))
		if err != nil {
			return err
		}
		m.References = append(m.References, d)
		return nil
	})
}

func (s *Service) addProcessing(c *call) (any, error) {
	return changeOp(s, c, checkAddProcessing, func(in *addProcessingIn, m *Meta, _ int64) error {
		i := findInput(m, *in.InputId)
		if i < 0 {
			return resourceNotFound.New("Input %s not found in application %s", *in.InputId, m.Name)
		}
		if m.Inputs[i].InputProcessingConfigurationDescription != nil {
			return invalidArgument.New("Input %s already has an input processing configuration.", *in.InputId)
		}
		pd, err := buildProcessing(in.InputProcessingConfiguration)
		if err != nil {
			return err
		}
		m.Inputs[i].InputProcessingConfigurationDescription = pd
		return nil
	})
}

func (s *Service) addLogging(c *call) (any, error) {
	return changeOp(s, c, checkAddLogging, func(in *addLoggingIn, m *Meta, next int64) error {
		for _, l := range m.Logging {
			if deref(l.LogStreamARN) == *in.CloudWatchLoggingOption.LogStreamARN {
				return invalidArgument.New("Log stream %s is already a CloudWatch logging option of application %s.", deref(l.LogStreamARN), m.Name)
			}
		}
		m.Logging = append(m.Logging, types.CloudWatchLoggingOptionDescription{CloudWatchLoggingOptionId: itemID(next, 1),
			LogStreamARN: in.CloudWatchLoggingOption.LogStreamARN, RoleARN: in.CloudWatchLoggingOption.RoleARN})
		return nil
	})
}

// deleteItem is the Delete* operations of one part of an application:
// member is the id member's path, id reads it from the request, and drop
// removes the part with that id (false: no such part).
func (s *Service) deleteItem(c *call, member, what string, id func(in *deleteItemIn) *string, drop func(m *Meta, id string) bool) (any, error) {
	check := func(v *awserr.Violations, in *deleteItemIn) {
		checkApp(v, in.ApplicationName, in.CurrentApplicationVersionId)
		checkID(v, id(in), member, true)
	}
	return changeOp(s, c, check, func(in *deleteItemIn, m *Meta, _ int64) error {
		if !drop(m, *id(in)) {
			return resourceNotFound.New("%s %s not found in application %s", what, *id(in), m.Name)
		}
		return nil
	})
}

func (s *Service) deleteOutput(c *call) (any, error) {
	return s.deleteItem(c, "outputId", "Output", func(in *deleteItemIn) *string { return in.OutputId }, func(m *Meta, id string) bool {
		return removeByID(&m.Outputs, outputID, id)
	})
}

func (s *Service) deleteReference(c *call) (any, error) {
	return s.deleteItem(c, "referenceId", "Reference data source", func(in *deleteItemIn) *string { return in.ReferenceId }, func(m *Meta, id string) bool {
		return removeByID(&m.References, referenceID, id)
	})
}

func (s *Service) deleteProcessing(c *call) (any, error) {
	return s.deleteItem(c, "inputId", "Input", func(in *deleteItemIn) *string { return in.InputId }, func(m *Meta, id string) bool {
		i := findInput(m, id)
		if i < 0 {
			return false
		}
		m.Inputs[i].InputProcessingConfigurationDescription = nil
		return true
	})
}

func (s *Service) deleteLogging(c *call) (any, error) {
	return s.deleteItem(c, "cloudWatchLoggingOptionId", "CloudWatch logging option", func(in *deleteItemIn) *string { return in.CloudWatchLoggingOptionId }, func(m *Meta, id string) bool {
		return removeByID(&m.Logging, loggingID, id)
	})
}

// appName is the application an ARN of this service names.
func (s *Service) appName(arn string) (string, error) {
	sub := appARNRe.FindStringSubmatch(arn)
	if sub == nil || arn != s.arn(sub[1]) {
		return "", resourceNotFound.New("Resource %s not found", arn)
	}
	return sub[1], nil
}

func (s *Service) tag(c *call) (any, error) {
	in, err := awsservice.Input(c, checkTag)
	if err != nil {
		return nil, err
	}
	name, err := s.appName(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	_, err = s.st.Update(c.Ctx, name, func(m *Meta) error {
		tags := mergeTags(append([]Tag(nil), m.Tags...), in.Tags)
		if len(tags) > maxTags {
			return s.tooManyTags(name)
		}
		m.Tags = tags
		return nil
	})
	return nil, s.storeErr(name, err)
}

func (s *Service) untag(c *call) (any, error) {
	in, err := awsservice.Input(c, checkUntag)
	if err != nil {
		return nil, err
	}
	name, err := s.appName(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	_, err = s.st.Update(c.Ctx, name, func(m *Meta) error {
		m.Tags = awsservice.DropTags(m.Tags, tagKey, in.TagKeys)
		return nil
	})
	return nil, s.storeErr(name, err)
}

func (s *Service) listTags(c *call) (any, error) {
	in, err := awsservice.Input(c, checkListTags)
	if err != nil {
		return nil, err
	}
	name, err := s.appName(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	m, _, err := s.st.Get(c.Ctx, name)
	if err != nil {
		return nil, s.storeErr(name, err)
	}
	out := listTagsOut{Tags: []tagOut{}}
	for _, t := range m.Tags {
		out.Tags = append(out.Tags, tagOut{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

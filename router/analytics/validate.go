package analytics

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/awserr"
)

// Constraints of the KinesisAnalytics_20150814 model: the regexps match
// whole values; the patterns are printed as the model writes them.
var (
	nameRe        = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	arnRe         = regexp.MustCompile(`^arn:.*$`)
	roleARNRe     = regexp.MustCompile(`^arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	appARNRe      = regexp.MustCompile(`^arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}:\d{12}:application/([a-zA-Z0-9_.-]{1,128})$`)
	encodingRe    = regexp.MustCompile(`^UTF-8$`)
	roleARNShown  = `arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
	appARNShown   = `arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}+:\d{12}+:application/[a-zA-Z0-9_.-]{1,128}`
	nameShown     = `[a-zA-Z0-9_.-]+`
	arnShown      = `arn:.*`
	formatTypes   = []string{"JSON", "CSV"}
	startingTypes = []string{"NOW", "TRIM_HORIZON", "LAST_STOPPED_POINT"}
)

// Limits of the model and of AWS's "Limits" page for SQL applications.
const (
	maxCode        = 102400 // ApplicationCode: 100 KB
	maxDescription = 1024
	maxVersion     = 999999999
	maxColumns     = 1000
	maxTagsPerCall = 200
	// maxApplications is AWS's default quota of applications per Region.
	maxApplications = 50
	// maxTags is the user-defined tags an application may have.
	maxTags = 50
	// One streaming source, one reference data source and three
	// destinations per application.
	maxInputs     = 1
	maxReferences = 1
	maxOutputs    = 3
)

func checkString(v *awserr.Violations, s *string, path string, lo, hi int, re *regexp.Regexp, shown string, required bool) {
	if s == nil {
		if required {
			v.Null(path)
		}
		return
	}
	if re != nil {
		v.Match(s, path, re, shown)
	}
	v.Length(s, path, lo, hi)
}

func checkName(v *awserr.Violations, s *string, path string, required bool) {
	checkString(v, s, path, 1, 128, nameRe, nameShown, required)
}

func checkID(v *awserr.Violations, s *string, path string, required bool) {
	checkString(v, s, path, 1, 50, nameRe, nameShown, required)
}

func checkARN(v *awserr.Violations, s *string, path string, required bool) {
	checkString(v, s, path, 1, 2048, arnRe, arnShown, required)
}

func checkRole(v *awserr.Violations, s *string, path string, required bool) {
	checkString(v, s, path, 1, 2048, roleARNRe, roleARNShown, required)
}

func checkVersion(v *awserr.Violations, n *int64, path string) {
	if v.Required(n != nil, path) {
		v.Range(n, path, 1, maxVersion)
	}
}

func checkCount(v *awserr.Violations, n *int32, path string) {
	if n != nil {
		x := int64(*n)
		v.Range(&x, path, 1, 64)
	}
}

func checkLen(v *awserr.Violations, n int, class, path string, lo, hi int) {
	switch {
	case n < lo:
		v.Add(awserr.ObjectListValue(class, n), path, awserr.MinLen(lo))
	case n > hi:
		v.Add(awserr.ObjectListValue(class, n), path, awserr.MaxLen(hi))
	}
}

func enum[T ~string](s T) *string {
	if s == "" {
		return nil
	}
	x := string(s)
	return &x
}

func checkSchema(v *awserr.Violations, s *types.SourceSchema, path string, required bool) {
	if s == nil {
		if required {
			v.Null(path)
		}
		return
	}
	checkFormat(v, s.RecordFormat, path+".recordFormat", true)
	if s.RecordEncoding != nil {
		v.Match(s.RecordEncoding, path+".recordEncoding", encodingRe, "UTF-8")
	}
	if v.Required(s.RecordColumns != nil, path+".recordColumns") {
		checkLen(v, len(s.RecordColumns), "RecordColumn", path+".recordColumns", 1, maxColumns)
		for i := range s.RecordColumns {
			c := &s.RecordColumns[i]
			p := fmt.Sprintf("%s.recordColumns.%d.member", path, i+1)
			v.Required(c.Name != nil, p+".name")
			checkString(v, c.SqlType, p+".sqlType", 1, 1<<30, nil, "", true)
		}
	}
}

func checkFormat(v *awserr.Violations, f *types.RecordFormat, path string, required bool) {
	if f == nil {
		if required {
			v.Null(path)
		}
		return
	}
	if v.Required(f.RecordFormatType != "", path+".recordFormatType") {
		v.OneOf(enum(f.RecordFormatType), path+".recordFormatType", formatTypes...)
	}
	if mp := f.MappingParameters; mp != nil {
		if j := mp.JSONMappingParameters; j != nil {
			checkString(v, j.RecordRowPath, path+".mappingParameters.jSONMappingParameters.recordRowPath", 1, 1<<30, nil, "", true)
		}
		if c := mp.CSVMappingParameters; c != nil {
			p := path + ".mappingParameters.cSVMappingParameters"
			checkString(v, c.RecordRowDelimiter, p+".recordRowDelimiter", 1, 1<<30, nil, "", true)
			checkString(v, c.RecordColumnDelimiter, p+".recordColumnDelimiter", 1, 1<<30, nil, "", true)
		}
	}
}

func checkProcessing(v *awserr.Violations, p *types.InputProcessingConfiguration, path string, required bool) {
	if p == nil {
		if required {
			v.Null(path)
		}
		return
	}
	l := p.InputLambdaProcessor
	if !v.Required(l != nil, path+".inputLambdaProcessor") {
		return
	}
	checkARN(v, l.ResourceARN, path+".inputLambdaProcessor.resourceARN", true)
	checkRole(v, l.RoleARN, path+".inputLambdaProcessor.roleARN", true)
}

func checkInput(v *awserr.Violations, in *types.Input, path string) {
	checkString(v, in.NamePrefix, path+".namePrefix", 1, 32, nil, "", true)
	checkProcessing(v, in.InputProcessingConfiguration, path+".inputProcessingConfiguration", false)
	if k := in.KinesisStreamsInput; k != nil {
		checkARN(v, k.ResourceARN, path+".kinesisStreamsInput.resourceARN", true)
		checkRole(v, k.RoleARN, path+".kinesisStreamsInput.roleARN", true)
	}
	if k := in.KinesisFirehoseInput; k != nil {
		checkARN(v, k.ResourceARN, path+".kinesisFirehoseInput.resourceARN", true)
		checkRole(v, k.RoleARN, path+".kinesisFirehoseInput.roleARN", true)
	}
	if p := in.InputParallelism; p != nil {
		checkCount(v, p.Count, path+".inputParallelism.count")
	}
	checkSchema(v, in.InputSchema, path+".inputSchema", true)
}

func checkOutput(v *awserr.Violations, o *types.Output, path string) {
	checkString(v, o.Name, path+".name", 1, 32, nil, "", true)
	if k := o.KinesisStreamsOutput; k != nil {
		checkARN(v, k.ResourceARN, path+".kinesisStreamsOutput.resourceARN", true)
		checkRole(v, k.RoleARN, path+".kinesisStreamsOutput.roleARN", true)
	}
	if k := o.KinesisFirehoseOutput; k != nil {
		checkARN(v, k.ResourceARN, path+".kinesisFirehoseOutput.resourceARN", true)
		checkRole(v, k.RoleARN, path+".kinesisFirehoseOutput.roleARN", true)
	}
	if k := o.LambdaOutput; k != nil {
		checkARN(v, k.ResourceARN, path+".lambdaOutput.resourceARN", true)
		checkRole(v, k.RoleARN, path+".lambdaOutput.roleARN", true)
	}
	if d := o.DestinationSchema; v.Required(d != nil, path+".destinationSchema") {
		if v.Required(d.RecordFormatType != "", path+".destinationSchema.recordFormatType") {
			v.OneOf(enum(d.RecordFormatType), path+".destinationSchema.recordFormatType", formatTypes...)
		}
	}
}

func checkReference(v *awserr.Violations, r *types.ReferenceDataSource, path string) {
	checkString(v, r.TableName, path+".tableName", 1, 32, nil, "", true)
	if s := r.S3ReferenceDataSource; s != nil {
		p := path + ".s3ReferenceDataSource"
		checkARN(v, s.BucketARN, p+".bucketARN", true)
		checkString(v, s.FileKey, p+".fileKey", 1, 1024, nil, "", true)
		checkRole(v, s.ReferenceRoleARN, p+".referenceRoleARN", true)
	}
	checkSchema(v, r.ReferenceSchema, path+".referenceSchema", true)
}

func checkLogging(v *awserr.Violations, l *types.CloudWatchLoggingOption, path string) {
	checkARN(v, l.LogStreamARN, path+".logStreamARN", true)
	checkRole(v, l.RoleARN, path+".roleARN", true)
}

func checkTags(v *awserr.Violations, tags []types.Tag, path string) {
	if tags == nil {
		return
	}
	checkLen(v, len(tags), "Tag", path, 1, maxTagsPerCall)
	for i, t := range tags {
		p := fmt.Sprintf("%s.%d.member", path, i+1)
		checkString(v, t.Key, p+".key", 1, 128, nil, "", true)
		checkString(v, t.Value, p+".value", 0, 256, nil, "", false)
	}
}

func checkCreate(v *awserr.Violations, in *createIn) {
	checkName(v, in.ApplicationName, "applicationName", true)
	checkString(v, in.ApplicationDescription, "applicationDescription", 0, maxDescription, nil, "", false)
	for i := range in.Inputs {
		checkInput(v, &in.Inputs[i], fmt.Sprintf("inputs.%d.member", i+1))
	}
	for i := range in.Outputs {
		checkOutput(v, &in.Outputs[i], fmt.Sprintf("outputs.%d.member", i+1))
	}
	for i := range in.CloudWatchLoggingOptions {
		checkLogging(v, &in.CloudWatchLoggingOptions[i], fmt.Sprintf("cloudWatchLoggingOptions.%d.member", i+1))
	}
	checkString(v, in.ApplicationCode, "applicationCode", 0, maxCode, nil, "", false)
	checkTags(v, in.Tags, "tags")
}

func checkNameOnly(v *awserr.Violations, in *nameIn) {
	checkName(v, in.ApplicationName, "applicationName", true)
}

func checkList(v *awserr.Violations, in *listIn) {
	v.Range(in.Limit, "limit", 1, 50)
	checkName(v, in.ExclusiveStartApplicationName, "exclusiveStartApplicationName", false)
}

func checkDelete(v *awserr.Violations, in *deleteIn) {
	checkName(v, in.ApplicationName, "applicationName", true)
	v.Required(in.CreateTimestamp != nil, "createTimestamp")
}

func checkStart(v *awserr.Violations, in *startIn) {
	checkName(v, in.ApplicationName, "applicationName", true)
	if !v.Required(in.InputConfigurations != nil, "inputConfigurations") {
		return
	}
	for i, c := range in.InputConfigurations {
		p := fmt.Sprintf("inputConfigurations.%d.member", i+1)
		checkID(v, c.Id, p+".id", true)
		if v.Required(c.InputStartingPositionConfiguration != nil, p+".inputStartingPositionConfiguration") {
			v.OneOf(enum(c.InputStartingPositionConfiguration.InputStartingPosition), p+".inputStartingPositionConfiguration.inputStartingPosition", startingTypes...)
		}
	}
}

func checkUpdate(v *awserr.Violations, in *updateIn) {
	checkName(v, in.ApplicationName, "applicationName", true)
	checkVersion(v, in.CurrentApplicationVersionId, "currentApplicationVersionId")
	u := in.ApplicationUpdate
	if !v.Required(u != nil, "applicationUpdate") {
		return
	}
	for i, iu := range u.InputUpdates {
		p := fmt.Sprintf("applicationUpdate.inputUpdates.%d.member", i+1)
		checkID(v, iu.InputId, p+".inputId", true)
		checkString(v, iu.NamePrefixUpdate, p+".namePrefixUpdate", 1, 32, nil, "", false)
		if pu := iu.InputProcessingConfigurationUpdate; pu != nil {
			if l := pu.InputLambdaProcessorUpdate; v.Required(l != nil, p+".inputProcessingConfigurationUpdate.inputLambdaProcessorUpdate") {
				checkARN(v, l.ResourceARNUpdate, p+".inputProcessingConfigurationUpdate.inputLambdaProcessorUpdate.resourceARNUpdate", false)
				checkRole(v, l.RoleARNUpdate, p+".inputProcessingConfigurationUpdate.inputLambdaProcessorUpdate.roleARNUpdate", false)
			}
		}
		if k := iu.KinesisStreamsInputUpdate; k != nil {
			checkARN(v, k.ResourceARNUpdate, p+".kinesisStreamsInputUpdate.resourceARNUpdate", false)
			checkRole(v, k.RoleARNUpdate, p+".kinesisStreamsInputUpdate.roleARNUpdate", false)
		}
		if k := iu.KinesisFirehoseInputUpdate; k != nil {
			checkARN(v, k.ResourceARNUpdate, p+".kinesisFirehoseInputUpdate.resourceARNUpdate", false)
			checkRole(v, k.RoleARNUpdate, p+".kinesisFirehoseInputUpdate.roleARNUpdate", false)
		}
		if su := iu.InputSchemaUpdate; su != nil {
			checkFormat(v, su.RecordFormatUpdate, p+".inputSchemaUpdate.recordFormatUpdate", false)
			if su.RecordEncodingUpdate != nil {
				v.Match(su.RecordEncodingUpdate, p+".inputSchemaUpdate.recordEncodingUpdate", encodingRe, "UTF-8")
			}
			if su.RecordColumnUpdates != nil {
				checkLen(v, len(su.RecordColumnUpdates), "RecordColumn", p+".inputSchemaUpdate.recordColumnUpdates", 1, maxColumns)
			}
		}
		if pu := iu.InputParallelismUpdate; pu != nil {
			checkCount(v, pu.CountUpdate, p+".inputParallelismUpdate.countUpdate")
		}
	}
	checkString(v, u.ApplicationCodeUpdate, "applicationUpdate.applicationCodeUpdate", 0, maxCode, nil, "", false)
	for i, ou := range u.OutputUpdates {
		p := fmt.Sprintf("applicationUpdate.outputUpdates.%d.member", i+1)
		checkID(v, ou.OutputId, p+".outputId", true)
		checkString(v, ou.NameUpdate, p+".nameUpdate", 1, 32, nil, "", false)
		if d := ou.DestinationSchemaUpdate; d != nil {
			if v.Required(d.RecordFormatType != "", p+".destinationSchemaUpdate.recordFormatType") {
				v.OneOf(enum(d.RecordFormatType), p+".destinationSchemaUpdate.recordFormatType", formatTypes...)
			}
		}
	}
	for i, ru := range u.ReferenceDataSourceUpdates {
		p := fmt.Sprintf("applicationUpdate.referenceDataSourceUpdates.%d.member", i+1)
		checkID(v, ru.ReferenceId, p+".referenceId", true)
		checkString(v, ru.TableNameUpdate, p+".tableNameUpdate", 1, 32, nil, "", false)
		if s := ru.S3ReferenceDataSourceUpdate; s != nil {
			checkARN(v, s.BucketARNUpdate, p+".s3ReferenceDataSourceUpdate.bucketARNUpdate", false)
			checkString(v, s.FileKeyUpdate, p+".s3ReferenceDataSourceUpdate.fileKeyUpdate", 1, 1024, nil, "", false)
			checkRole(v, s.ReferenceRoleARNUpdate, p+".s3ReferenceDataSourceUpdate.referenceRoleARNUpdate", false)
		}
		checkSchema(v, ru.ReferenceSchemaUpdate, p+".referenceSchemaUpdate", false)
	}
	for i, cu := range u.CloudWatchLoggingOptionUpdates {
		p := fmt.Sprintf("applicationUpdate.cloudWatchLoggingOptionUpdates.%d.member", i+1)
		checkID(v, cu.CloudWatchLoggingOptionId, p+".cloudWatchLoggingOptionId", true)
		checkARN(v, cu.LogStreamARNUpdate, p+".logStreamARNUpdate", false)
		checkRole(v, cu.RoleARNUpdate, p+".roleARNUpdate", false)
	}
}

// checkApp checks the two members every Add/Delete operation starts with.
func checkApp(v *awserr.Violations, name *string, version *int64) {
	checkName(v, name, "applicationName", true)
	checkVersion(v, version, "currentApplicationVersionId")
}

func checkAddInput(v *awserr.Violations, in *addInputIn) {
	checkApp(v, in.ApplicationName, in.CurrentApplicationVersionId)
	if v.Required(in.Input != nil, "input") {
		checkInput(v, in.Input, "input")
	}
}

func checkAddOutput(v *awserr.Violations, in *addOutputIn) {
	checkApp(v, in.ApplicationName, in.CurrentApplicationVersionId)
	if v.Required(in.Output != nil, "output") {
		checkOutput(v, in.Output, "output")
	}
}

func checkAddReference(v *awserr.Violations, in *addReferenceIn) {
	checkApp(v, in.ApplicationName, in.CurrentApplicationVersionId)
	if v.Required(in.ReferenceDataSource != nil, "referenceDataSource") {
		checkReference(v, in.ReferenceDataSource, "referenceDataSource")
	}
}

func checkAddProcessing(v *awserr.Violations, in *addProcessingIn) {
	checkApp(v, in.ApplicationName, in.CurrentApplicationVersionId)
	checkID(v, in.InputId, "inputId", true)
	checkProcessing(v, in.InputProcessingConfiguration, "inputProcessingConfiguration", true)
}

func checkAddLogging(v *awserr.Violations, in *addLoggingIn) {
	checkApp(v, in.ApplicationName, in.CurrentApplicationVersionId)
	if v.Required(in.CloudWatchLoggingOption != nil, "cloudWatchLoggingOption") {
		checkLogging(v, in.CloudWatchLoggingOption, "cloudWatchLoggingOption")
	}
}

func checkDiscover(v *awserr.Violations, in *discoverIn) {
	checkARN(v, in.ResourceARN, "resourceARN", false)
	checkRole(v, in.RoleARN, "roleARN", false)
	if c := in.InputStartingPositionConfiguration; c != nil {
		v.OneOf(enum(c.InputStartingPosition), "inputStartingPositionConfiguration.inputStartingPosition", startingTypes...)
	}
	if s := in.S3Configuration; s != nil {
		checkRole(v, s.RoleARN, "s3Configuration.roleARN", true)
		checkARN(v, s.BucketARN, "s3Configuration.bucketARN", true)
		checkString(v, s.FileKey, "s3Configuration.fileKey", 1, 1024, nil, "", true)
	}
	checkProcessing(v, in.InputProcessingConfiguration, "inputProcessingConfiguration", false)
}

func checkAppARN(v *awserr.Violations, s *string) {
	checkString(v, s, "resourceARN", 1, 2048, appARNRe, appARNShown, true)
}

func checkTag(v *awserr.Violations, in *tagIn) {
	checkAppARN(v, in.ResourceARN)
	if v.Required(in.Tags != nil, "tags") {
		checkTags(v, in.Tags, "tags")
	}
}

func checkUntag(v *awserr.Violations, in *untagIn) {
	checkAppARN(v, in.ResourceARN)
	if !v.Required(in.TagKeys != nil, "tagKeys") {
		return
	}
	if n := len(in.TagKeys); n < 1 || n > maxTagsPerCall {
		c := awserr.MinLen(1)
		if n > maxTagsPerCall {
			c = awserr.MaxLen(maxTagsPerCall)
		}
		v.Add(awserr.ListValue(in.TagKeys), "tagKeys", c)
	}
	for i := range in.TagKeys {
		v.Length(&in.TagKeys[i], fmt.Sprintf("tagKeys.%d.member", i+1), 1, 128)
	}
}

func checkListTags(v *awserr.Violations, in *listTagsIn) {
	checkAppARN(v, in.ResourceARN)
}

package analytics

import (
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/router/awsproto"
)

// Wire shapes of KinesisAnalytics_20150814. Nested shapes are the SDK's
// own types (their Go field names are the JSON member names); responses
// are encoded without null members (see marshalOut).

type ts = awsproto.Timestamp

type createIn struct {
	ApplicationName          *string                         `json:"ApplicationName"`
	ApplicationDescription   *string                         `json:"ApplicationDescription"`
	ApplicationCode          *string                         `json:"ApplicationCode"`
	Inputs                   []types.Input                   `json:"Inputs"`
	Outputs                  []types.Output                  `json:"Outputs"`
	CloudWatchLoggingOptions []types.CloudWatchLoggingOption `json:"CloudWatchLoggingOptions"`
	Tags                     []types.Tag                     `json:"Tags"`
}

type summaryOut struct {
	ApplicationName   string `json:"ApplicationName"`
	ApplicationARN    string `json:"ApplicationARN"`
	ApplicationStatus string `json:"ApplicationStatus"`
}

type createOut struct {
	ApplicationSummary summaryOut `json:"ApplicationSummary"`
}

type nameIn struct {
	ApplicationName *string `json:"ApplicationName"`
}

type detailOut struct {
	ApplicationName                     string                                     `json:"ApplicationName"`
	ApplicationDescription              *string                                    `json:"ApplicationDescription,omitempty"`
	ApplicationARN                      string                                     `json:"ApplicationARN"`
	ApplicationStatus                   string                                     `json:"ApplicationStatus"`
	CreateTimestamp                     ts                                         `json:"CreateTimestamp"`
	LastUpdateTimestamp                 ts                                         `json:"LastUpdateTimestamp"`
	InputDescriptions                   []types.InputDescription                   `json:"InputDescriptions"`
	OutputDescriptions                  []types.OutputDescription                  `json:"OutputDescriptions"`
	ReferenceDataSourceDescriptions     []types.ReferenceDataSourceDescription     `json:"ReferenceDataSourceDescriptions"`
	CloudWatchLoggingOptionDescriptions []types.CloudWatchLoggingOptionDescription `json:"CloudWatchLoggingOptionDescriptions"`
	ApplicationCode                     *string                                    `json:"ApplicationCode,omitempty"`
	ApplicationVersionId                int64                                      `json:"ApplicationVersionId"`
}

type describeOut struct {
	ApplicationDetail detailOut `json:"ApplicationDetail"`
}

type listIn struct {
	Limit                         *int64  `json:"Limit"`
	ExclusiveStartApplicationName *string `json:"ExclusiveStartApplicationName"`
}

type listOut struct {
	ApplicationSummaries []summaryOut `json:"ApplicationSummaries"`
	HasMoreApplications  bool         `json:"HasMoreApplications"`
}

type deleteIn struct {
	ApplicationName *string `json:"ApplicationName"`
	CreateTimestamp *ts     `json:"CreateTimestamp"`
}

type startIn struct {
	ApplicationName     *string                    `json:"ApplicationName"`
	InputConfigurations []types.InputConfiguration `json:"InputConfigurations"`
}

// appChange is the members of a request that changes an application at
// the version it names.
type appChange struct {
	ApplicationName             *string `json:"ApplicationName"`
	CurrentApplicationVersionId *int64  `json:"CurrentApplicationVersionId"`
}

func (a *appChange) target() *appChange { return a }

type updateIn struct {
	appChange
	ApplicationUpdate *types.ApplicationUpdate `json:"ApplicationUpdate"`
}

type addInputIn struct {
	appChange
	Input *types.Input `json:"Input"`
}

type addOutputIn struct {
	appChange
	Output *types.Output `json:"Output"`
}

type addReferenceIn struct {
	appChange
	ReferenceDataSource *types.ReferenceDataSource `json:"ReferenceDataSource"`
}

type addProcessingIn struct {
	appChange
	InputId                      *string                             `json:"InputId"`
	InputProcessingConfiguration *types.InputProcessingConfiguration `json:"InputProcessingConfiguration"`
}

type addLoggingIn struct {
	appChange
	CloudWatchLoggingOption *types.CloudWatchLoggingOption `json:"CloudWatchLoggingOption"`
}

// deleteItemIn is the request of the Delete* operations of one part of an
// application; exactly one id member is the operation's.
type deleteItemIn struct {
	appChange
	OutputId                  *string `json:"OutputId"`
	ReferenceId               *string `json:"ReferenceId"`
	InputId                   *string `json:"InputId"`
	CloudWatchLoggingOptionId *string `json:"CloudWatchLoggingOptionId"`
}

type discoverIn struct {
	ResourceARN                        *string                                   `json:"ResourceARN"`
	RoleARN                            *string                                   `json:"RoleARN"`
	InputStartingPositionConfiguration *types.InputStartingPositionConfiguration `json:"InputStartingPositionConfiguration"`
	S3Configuration                    *types.S3Configuration                    `json:"S3Configuration"`
	InputProcessingConfiguration       *types.InputProcessingConfiguration       `json:"InputProcessingConfiguration"`
}

type tagIn struct {
	ResourceARN *string     `json:"ResourceARN"`
	Tags        []types.Tag `json:"Tags"`
}

type untagIn struct {
	ResourceARN *string  `json:"ResourceARN"`
	TagKeys     []string `json:"TagKeys"`
}

type listTagsIn struct {
	ResourceARN *string `json:"ResourceARN"`
}

type tagOut struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

type listTagsOut struct {
	Tags []tagOut `json:"Tags"`
}

package functions

// Wire shapes of the Lambda API (member names as AWS spells them).

// Environment is a function's environment variables.
type Environment struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// EnvironmentResponse is how a configuration reports its variables.
type EnvironmentResponse struct {
	Variables map[string]string `json:"Variables"`
}

// FunctionCode is the code of CreateFunction (only ZipFile is supported).
type FunctionCode struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageUri        string `json:"ImageUri,omitempty"`
}

type tracingConfig struct {
	Mode string `json:"Mode"`
}

type ephemeralStorage struct {
	Size int `json:"Size"`
}

type loggingConfig struct {
	LogFormat string `json:"LogFormat"`
	LogGroup  string `json:"LogGroup"`
}

type snapStart struct {
	ApplyOn            string `json:"ApplyOn"`
	OptimizationStatus string `json:"OptimizationStatus"`
}

// FunctionConfiguration is one version of a function as the API reports
// it, and as it is stored (FunctionArn stored unqualified).
type FunctionConfiguration struct {
	FunctionName               string               `json:"FunctionName"`
	FunctionArn                string               `json:"FunctionArn"`
	Runtime                    string               `json:"Runtime,omitempty"`
	Role                       string               `json:"Role"`
	Handler                    string               `json:"Handler,omitempty"`
	CodeSize                   int64                `json:"CodeSize"`
	Description                string               `json:"Description"`
	Timeout                    int                  `json:"Timeout"`
	MemorySize                 int                  `json:"MemorySize"`
	LastModified               string               `json:"LastModified"`
	CodeSha256                 string               `json:"CodeSha256"`
	Version                    string               `json:"Version"`
	Environment                *EnvironmentResponse `json:"Environment,omitempty"`
	TracingConfig              tracingConfig        `json:"TracingConfig"`
	RevisionId                 string               `json:"RevisionId"`
	State                      string               `json:"State"`
	StateReason                string               `json:"StateReason,omitempty"`
	StateReasonCode            string               `json:"StateReasonCode,omitempty"`
	LastUpdateStatus           string               `json:"LastUpdateStatus"`
	LastUpdateStatusReason     string               `json:"LastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string               `json:"LastUpdateStatusReasonCode,omitempty"`
	PackageType                string               `json:"PackageType"`
	Architectures              []string             `json:"Architectures"`
	EphemeralStorage           ephemeralStorage     `json:"EphemeralStorage"`
	LoggingConfig              loggingConfig        `json:"LoggingConfig"`
	SnapStart                  snapStart            `json:"SnapStart"`
}

// AliasConfiguration is an alias.
type AliasConfiguration struct {
	AliasArn        string              `json:"AliasArn"`
	Name            string              `json:"Name"`
	FunctionVersion string              `json:"FunctionVersion"`
	Description     string              `json:"Description"`
	RevisionId      string              `json:"RevisionId"`
	RoutingConfig   *AliasRoutingConfig `json:"RoutingConfig,omitempty"`
}

// AliasRoutingConfig sends a share of an alias's invocations to a second
// version.
type AliasRoutingConfig struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

// Function states and update statuses.
const (
	statePending  = "Pending"
	stateActive   = "Active"
	stateFailed   = "Failed"
	updInProgress = "InProgress"
	updSuccessful = "Successful"
	updFailed     = "Failed"
	latest        = "$LATEST"
)

// funcRecord is the stored state of a function: its $LATEST configuration
// and what belongs to the function as a whole.
type funcRecord struct {
	Config FunctionConfiguration `json:"Config"`
	// LastVersion is the highest version number ever published (numbers
	// are never reused, even after a version is deleted).
	LastVersion int `json:"LastVersion"`
	// PublishedHash is the configHash of $LATEST when LastVersion was
	// published; PublishVersion returns that version when nothing changed.
	PublishedHash string `json:"PublishedHash,omitempty"`
	// Reserved is the reserved concurrency, nil when none is set.
	Reserved *int              `json:"Reserved,omitempty"`
	Tags     map[string]string `json:"Tags,omitempty"`
}

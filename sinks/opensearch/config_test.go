package opensearch

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
)

func TestValidate(t *testing.T) {
	const ep = "https://search.example.com:9200"
	cases := []struct {
		name string
		edit func(*Config)
		kind awserr.Kind // zero: valid
		msg  string
	}{
		{"valid", func(*Config) {}, awserr.Kind{}, ""},
		{"valid http with user", func(c *Config) { c.ClusterEndpoint = ptr("http://u:p@127.0.0.1:9200/prefix") }, awserr.Kind{}, ""},
		{"valid everything", func(c *Config) {
			c.TypeName = ptr("")
			c.IndexRotationPeriod = ptr(OneWeek)
			c.BufferingHints = &BufferingHints{IntervalInSeconds: ptr[int64](0), SizeInMBs: ptr[int64](100)}
			c.RetryOptions = &RetryOptions{DurationInSeconds: ptr[int64](7200)}
			c.S3BackupMode = ptr(AllDocuments)
			c.DocumentIdOptions = &DocumentIDOptions{DefaultDocumentIdFormat: ptr(NoDocumentID)}
		}, awserr.Kind{}, ""},
		{"missing role and index", func(c *Config) { c.RoleARN, c.IndexName = nil, nil }, awserr.Validation,
			"2 validation errors detected: Value null at 'amazonopensearchserviceDestinationConfiguration.roleARN' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'amazonopensearchserviceDestinationConfiguration.indexName' failed to satisfy constraint: Member must not be null"},
		{"missing s3", func(c *Config) { c.S3Configuration = json.RawMessage("null") }, awserr.Validation,
			"1 validation error detected: Value null at 'amazonopensearchserviceDestinationConfiguration.s3Configuration' failed to satisfy constraint: Member must not be null"},
		{"bad role", func(c *Config) { c.RoleARN = ptr("role") }, awserr.Validation,
			`1 validation error detected: Value 'role' at 'amazonopensearchserviceDestinationConfiguration.roleARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+`},
		{"index too long, elasticsearch", func(c *Config) { c.Kind = Elasticsearch; c.IndexName = ptr(strings.Repeat("i", 81)) }, awserr.Validation,
			"1 validation error detected: Value '" + strings.Repeat("i", 81) + "' at 'elasticsearchDestinationConfiguration.indexName' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"empty index", func(c *Config) { c.IndexName = ptr("") }, awserr.Validation,
			"1 validation error detected: Value '' at 'amazonopensearchserviceDestinationConfiguration.indexName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"type too long", func(c *Config) { c.TypeName = ptr(strings.Repeat("t", 101)) }, awserr.Validation, "Member must have length less than or equal to 100"},
		{"ranges", func(c *Config) {
			c.BufferingHints = &BufferingHints{IntervalInSeconds: ptr[int64](901), SizeInMBs: ptr[int64](0)}
			c.RetryOptions = &RetryOptions{DurationInSeconds: ptr[int64](7201)}
		}, awserr.Validation,
			"3 validation errors detected: Value '901' at 'amazonopensearchserviceDestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900; " +
				"Value '0' at 'amazonopensearchserviceDestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '7201' at 'amazonopensearchserviceDestinationConfiguration.retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 7200"},
		{"size over 100", func(c *Config) { c.BufferingHints = &BufferingHints{SizeInMBs: ptr[int64](101)} }, awserr.Validation, "Member must have value less than or equal to 100"},
		{"enums", func(c *Config) {
			c.IndexRotationPeriod = ptr("OneYear")
			c.S3BackupMode = ptr("Everything")
			c.DocumentIdOptions = &DocumentIDOptions{DefaultDocumentIdFormat: ptr("UUID")}
		}, awserr.Validation,
			"3 validation errors detected: Value 'OneYear' at 'amazonopensearchserviceDestinationConfiguration.indexRotationPeriod' failed to satisfy constraint: Member must satisfy enum value set: [NoRotation, OneHour, OneDay, OneWeek, OneMonth]; " +
				"Value 'Everything' at 'amazonopensearchserviceDestinationConfiguration.s3BackupMode' failed to satisfy constraint: Member must satisfy enum value set: [FailedDocumentsOnly, AllDocuments]; " +
				"Value 'UUID' at 'amazonopensearchserviceDestinationConfiguration.documentIdOptions.defaultDocumentIdFormat' failed to satisfy constraint: Member must satisfy enum value set: [FIREHOSE_DEFAULT, NO_DOCUMENT_ID]"},
		{"document id format missing", func(c *Config) { c.DocumentIdOptions = &DocumentIDOptions{} }, awserr.Validation,
			"Value null at 'amazonopensearchserviceDestinationConfiguration.documentIdOptions.defaultDocumentIdFormat' failed to satisfy constraint: Member must not be null"},
		{"endpoint pattern", func(c *Config) { c.ClusterEndpoint = ptr("ftp://x") }, awserr.Validation,
			"Value 'ftp://x' at 'amazonopensearchserviceDestinationConfiguration.clusterEndpoint' failed to satisfy constraint: Member must satisfy regular expression pattern: https?:.*"},
		{"endpoint pattern hides password", func(c *Config) { c.ClusterEndpoint = ptr("https://u:secret@" + strings.Repeat("h", 512)) }, awserr.Validation,
			"Value 'https://u:xxxxx@hhh"},
		{"domain arn pattern", func(c *Config) { c.DomainARN = ptr("arn:aws:es:us-east-1:123:domain/x") }, awserr.Validation,
			`Member must satisfy regular expression pattern: arn:.*:es:[a-zA-Z0-9\-]+:\d{12}:domain/[a-z][-0-9a-z]{2,27}`},
		{"neither", func(c *Config) { c.ClusterEndpoint = nil }, awserr.InvalidArgument, "Either DomainARN or ClusterEndpoint must be specified."},
		{"both", func(c *Config) { c.DomainARN = ptr("arn:aws:es:us-east-1:123456789012:domain/logs") }, awserr.InvalidArgument,
			"Specify either DomainARN or ClusterEndpoint, not both."},
		{"domain arn", func(c *Config) {
			c.ClusterEndpoint, c.DomainARN = nil, ptr("arn:aws:es:us-east-1:123456789012:domain/logs")
		}, awserr.InvalidArgument,
			"DomainARN arn:aws:es:us-east-1:123456789012:domain/logs cannot be resolved: kinesin has no Amazon OpenSearch Service domains. Specify ClusterEndpoint"},
		{"endpoint without host", func(c *Config) { c.ClusterEndpoint = ptr("https:///x") }, awserr.InvalidArgument, "ClusterEndpoint https:///x is not valid: the URL has no host"},
		{"endpoint with query", func(c *Config) { c.ClusterEndpoint = ptr("https://h?x=1") }, awserr.InvalidArgument, "no query or fragment"},
		{"vpc", func(c *Config) {
			c.VpcConfiguration = json.RawMessage(`{"SubnetIds":["s"],"RoleARN":"arn:aws:iam::000000000000:role/r","SecurityGroupIds":["g"]}`)
		}, awserr.InvalidArgument, "VpcConfiguration is not supported by kinesin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig(ep)
			c.RetryOptions = nil
			tc.edit(&c)
			err := c.Validate()
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var ae *awserr.Error
			if err == nil || !errors.As(err, &ae) || ae.Kind != tc.kind || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Validate = %v (%+v), want %s containing %q", err, ae, tc.kind.Code, tc.msg)
			}
			if strings.HasPrefix(err.Error(), ae.Code) {
				t.Fatalf("error text %q carries the code", err)
			}
			if _, nerr := New(c, dest.Options{}); nerr == nil {
				t.Fatal("New accepted an invalid configuration")
			}
		})
	}
}

func TestDefaultsDescribeBuffering(t *testing.T) {
	var c Config
	if err := json.Unmarshal([]byte(`{"RoleARN":"arn:aws:iam::000000000000:role/r","ClusterEndpoint":"https://admin:pw@h:9200",
		"IndexName":"logs","S3Configuration":{"BucketARN":"arn:aws:s3:::b"},"BufferingHints":{"SizeInMBs":1},"Unknown":1}`), &c); err != nil {
		t.Fatal(err)
	}
	if size, interval := c.Buffering(); size != 1 || interval != 300 {
		t.Fatalf("Buffering = %d, %d", size, interval)
	}
	c.Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal(c)
	want := `{"RoleARN":"arn:aws:iam::000000000000:role/r","ClusterEndpoint":"https://admin:pw@h:9200","IndexName":"logs",` +
		`"IndexRotationPeriod":"OneDay","BufferingHints":{"IntervalInSeconds":300,"SizeInMBs":1},"RetryOptions":{"DurationInSeconds":300},` +
		`"S3BackupMode":"FailedDocumentsOnly","S3Configuration":{"BucketARN":"arn:aws:s3:::b"}}`
	if string(stored) != want {
		t.Fatalf("stored\n%s\nwant\n%s", stored, want)
	}
	var back Config
	if err := json.Unmarshal(stored, &back); err != nil || back.Kind != OpenSearchService {
		t.Fatal(err)
	}
	d := back.Describe()
	d.S3DestinationDescription = map[string]string{"BucketARN": "arn:aws:s3:::b"}
	desc, _ := json.Marshal(d)
	want = `{"RoleARN":"arn:aws:iam::000000000000:role/r","ClusterEndpoint":"https://admin:xxxxx@h:9200","IndexName":"logs",` +
		`"IndexRotationPeriod":"OneDay","BufferingHints":{"IntervalInSeconds":300,"SizeInMBs":1},"RetryOptions":{"DurationInSeconds":300},` +
		`"S3BackupMode":"FailedDocumentsOnly","S3DestinationDescription":{"BucketARN":"arn:aws:s3:::b"}}`
	if string(desc) != want {
		t.Fatalf("description\n%s\nwant\n%s", desc, want)
	}
	if back.BacksUpAllDocuments() {
		t.Fatal("FailedDocumentsOnly backs up all documents")
	}
	back.S3BackupMode = ptr(AllDocuments)
	if !back.BacksUpAllDocuments() {
		t.Fatal("AllDocuments does not back up all documents")
	}
	var empty Config
	if size, interval := empty.Buffering(); size != 5 || interval != 300 || empty.BufferingHints != nil {
		t.Fatalf("Buffering of nothing = %d, %d (config changed: %v)", size, interval, empty.BufferingHints)
	}
}

func TestKindNames(t *testing.T) {
	if OpenSearchService.ConfigurationMember() != "AmazonopensearchserviceDestinationConfiguration" ||
		OpenSearchService.UpdateMember() != "AmazonopensearchserviceDestinationUpdate" ||
		OpenSearchService.DescriptionMember() != "AmazonopensearchserviceDestinationDescription" ||
		OpenSearchService.OutputType() != "AmazonOpenSearchService-failed" ||
		Elasticsearch.ConfigurationMember() != "ElasticsearchDestinationConfiguration" ||
		Elasticsearch.UpdateMember() != "ElasticsearchDestinationUpdate" ||
		Elasticsearch.DescriptionMember() != "ElasticsearchDestinationDescription" ||
		(Config{Kind: Elasticsearch}).OutputType() != "elasticsearch-failed" {
		t.Fatal("member names")
	}
}

func TestApply(t *testing.T) {
	base := testConfig("https://a:9200")
	base.TypeName = ptr("_doc")
	base.Defaults()
	cases := []struct {
		name  string
		kind  Kind
		u     string
		check func(Config) bool
		err   string
	}{
		{"nothing", OpenSearchService, `{}`, func(c Config) bool { return *c.IndexName == "myindex" && *c.TypeName == "_doc" }, ""},
		{"members", OpenSearchService, `{"IndexName":"new","IndexRotationPeriod":"OneMonth","BufferingHints":{"SizeInMBs":50},
			"RetryOptions":{"DurationInSeconds":0},"DocumentIdOptions":{"DefaultDocumentIdFormat":"NO_DOCUMENT_ID"},"ProcessingConfiguration":{"Enabled":false}}`,
			func(c Config) bool {
				return *c.IndexName == "new" && *c.IndexRotationPeriod == OneMonth && *c.BufferingHints.SizeInMBs == 50 &&
					*c.BufferingHints.IntervalInSeconds == 300 && *c.RetryOptions.DurationInSeconds == 0 &&
					*c.DocumentIdOptions.DefaultDocumentIdFormat == NoDocumentID && string(c.ProcessingConfiguration) == `{"Enabled":false}`
			}, ""},
		{"empty type name removes it", OpenSearchService, `{"TypeName":""}`, func(c Config) bool { return c.TypeName == nil }, ""},
		{"new endpoint", OpenSearchService, `{"ClusterEndpoint":"http://b:9200"}`, func(c Config) bool { return *c.ClusterEndpoint == "http://b:9200" }, ""},
		{"domain arn replaces endpoint", OpenSearchService, `{"DomainARN":"arn:aws:es:us-east-1:123456789012:domain/logs"}`, nil, "cannot be resolved"},
		{"out of range", Elasticsearch, `{"BufferingHints":{"IntervalInSeconds":1000}}`, nil,
			"1 validation error detected: Value '1000' at 'elasticsearchDestinationUpdate.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u Update
			if err := json.Unmarshal([]byte(tc.u), &u); err != nil {
				t.Fatal(err)
			}
			c := base
			c.Kind = tc.kind
			before, _ := json.Marshal(c)
			n, err := c.Apply(u)
			if after, _ := json.Marshal(c); string(after) != string(before) {
				t.Fatalf("Apply changed its receiver: %s", after)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Apply = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !tc.check(n) || n.Kind != tc.kind || n.S3Configuration == nil {
				out, _ := json.Marshal(n)
				t.Fatalf("Apply = %s, %v", out, err)
			}
		})
	}
}

package postgres_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/sinks/postgres"
)

func valid() postgres.Config {
	var c postgres.Config
	if err := json.Unmarshal([]byte(`{
		"RoleARN": "arn:aws:iam::123456789012:role/firehose",
		"ClusterJDBCURL": "jdbc:redshift://examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com:5439/dev",
		"CopyCommand": {"DataTableName": "events", "DataTableColumns": "a,b", "CopyOptions": "json 'auto'"},
		"Username": "firehose",
		"Password": "secret123",
		"S3Configuration": {"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::b"}
	}`), &c); err != nil {
		panic(err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := valid()
	c.Defaults()
	if *c.RetryOptions.DurationInSeconds != 3600 || *c.S3BackupMode != "Disabled" {
		t.Fatalf("defaults: %+v %v", c.RetryOptions, *c.S3BackupMode)
	}
	if size, interval := c.Buffering(); size != 5 || interval != 300 {
		t.Fatalf("Buffering: %d, %d", size, interval)
	}
	if size, interval := c.BufferingFrom(ptr(int64(64)), nil); size != 64 || interval != 300 {
		t.Fatalf("BufferingFrom: %d, %d", size, interval)
	}
	if size, interval := c.BufferingFrom(nil, ptr(int64(60))); size != 5 || interval != 60 {
		t.Fatalf("BufferingFrom: %d, %d", size, interval)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*postgres.Config)
		want   string // "" for valid; else a substring of the error
	}{
		{"valid", func(*postgres.Config) {}, ""},
		{"postgres url", func(c *postgres.Config) { c.ClusterJDBCURL = ptr("postgres://localhost/db?sslmode=disable") }, ""},
		{"jdbc postgresql any host", func(c *postgres.Config) { c.ClusterJDBCURL = ptr("jdbc:postgresql://10.0.0.1:5432/dev") }, ""},
		{"retry 0", func(c *postgres.Config) { c.RetryOptions = &postgres.RetryOptions{DurationInSeconds: ptr(int64(0))} }, ""},
		{"backup enabled", func(c *postgres.Config) {
			c.S3BackupMode = ptr("Enabled")
			c.S3BackupConfiguration = json.RawMessage(`{"BucketARN":"arn:aws:s3:::x"}`)
		}, ""},
		{"secrets manager disabled", func(c *postgres.Config) {
			c.SecretsManagerConfiguration = &postgres.SecretsManagerConfiguration{Enabled: ptr(false)}
		}, ""},
		{"missing everything", func(c *postgres.Config) { *c = postgres.Config{} },
			"4 validation errors detected: Value null at 'redshiftDestinationConfiguration.roleARN' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'redshiftDestinationConfiguration.clusterJDBCURL' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'redshiftDestinationConfiguration.copyCommand' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'redshiftDestinationConfiguration.s3Configuration' failed to satisfy constraint: Member must not be null"},
		{"no table", func(c *postgres.Config) { c.CopyCommand.DataTableName = nil },
			"Value null at 'redshiftDestinationConfiguration.copyCommand.dataTableName' failed to satisfy constraint: Member must not be null"},
		{"empty table", func(c *postgres.Config) { c.CopyCommand.DataTableName = ptr("") },
			"Value '' at 'redshiftDestinationConfiguration.copyCommand.dataTableName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"bad role", func(c *postgres.Config) { c.RoleARN = ptr("role") }, "Member must satisfy regular expression pattern: arn:.*:iam::"},
		{"short password", func(c *postgres.Config) { c.Password = ptr("abc") },
			"Value '******' at 'redshiftDestinationConfiguration.password' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{"empty user", func(c *postgres.Config) { c.Username = ptr("") }, "redshiftDestinationConfiguration.username"},
		{"retry too long", func(c *postgres.Config) { c.RetryOptions = &postgres.RetryOptions{DurationInSeconds: ptr(int64(7201))} },
			"Value '7201' at 'redshiftDestinationConfiguration.retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 7200"},
		{"retry negative", func(c *postgres.Config) { c.RetryOptions = &postgres.RetryOptions{DurationInSeconds: ptr(int64(-1))} },
			"Member must have value greater than or equal to 0"},
		{"bad backup mode", func(c *postgres.Config) { c.S3BackupMode = ptr("Sometimes") },
			"Value 'Sometimes' at 'redshiftDestinationConfiguration.s3BackupMode' failed to satisfy constraint: Member must satisfy enum value set: [Disabled, Enabled]"},
		{"null s3", func(c *postgres.Config) { c.S3Configuration = json.RawMessage("null") }, "s3Configuration' failed to satisfy constraint: Member must not be null"},
		{"bad url", func(c *postgres.Config) { c.ClusterJDBCURL = ptr("jdbc:mysql://h:3306/db") }, "ClusterJDBCURL"},
		{"url no database", func(c *postgres.Config) { c.ClusterJDBCURL = ptr("jdbc:redshift://h:5439") }, "database"},
		{"secrets manager enabled", func(c *postgres.Config) {
			c.SecretsManagerConfiguration = &postgres.SecretsManagerConfiguration{Enabled: ptr(true), SecretARN: ptr("arn:aws:secretsmanager:us-east-1:123456789012:secret:x")}
		}, "SecretsManagerConfiguration with Enabled true is not supported"},
		{"secrets manager without enabled", func(c *postgres.Config) {
			c.SecretsManagerConfiguration = &postgres.SecretsManagerConfiguration{}
		}, "secretsManagerConfiguration.enabled' failed to satisfy constraint: Member must not be null"},
		{"no password", func(c *postgres.Config) { c.Password = nil }, "Username and Password are required"},
		{"backup without configuration", func(c *postgres.Config) { c.S3BackupMode = ptr("Enabled") }, "S3BackupConfiguration is required"},
		{"bad columns", func(c *postgres.Config) { c.CopyCommand.DataTableColumns = ptr("a,,b") }, "empty column name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.change(&c)
			c.Defaults()
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("no error, want %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func TestApplyDescribe(t *testing.T) {
	c := valid()
	c.Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	n, err := c.Apply(postgres.Update{
		CopyCommand:  &postgres.CopyCommand{DataTableName: ptr("other")},
		Password:     ptr("newsecret"),
		RetryOptions: &postgres.RetryOptions{DurationInSeconds: ptr(int64(60))},
		S3BackupMode: ptr("Enabled"),
	})
	if err == nil {
		t.Fatal("enabling backup without S3BackupConfiguration: no error")
	}
	c.S3BackupConfiguration = json.RawMessage(`{"BucketARN":"arn:aws:s3:::x"}`)
	n, err = c.Apply(postgres.Update{
		CopyCommand:  &postgres.CopyCommand{DataTableName: ptr("other")},
		Password:     ptr("newsecret"),
		RetryOptions: &postgres.RetryOptions{DurationInSeconds: ptr(int64(60))},
		S3BackupMode: ptr("Enabled"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *n.CopyCommand.DataTableName != "other" || n.CopyCommand.CopyOptions != nil || *n.Password != "newsecret" ||
		*n.RetryOptions.DurationInSeconds != 60 || *n.S3BackupMode != "Enabled" || *n.Username != "firehose" {
		t.Fatalf("applied: %+v", n)
	}
	if *c.CopyCommand.DataTableName != "events" {
		t.Fatal("Apply changed the original")
	}
	if _, err := n.Apply(postgres.Update{S3BackupMode: ptr("Disabled")}); err == nil ||
		!strings.Contains(err.Error(), "cannot be changed from Enabled to Disabled") {
		t.Fatalf("disabling backup: %v", err)
	}
	if _, err := n.Apply(postgres.Update{RetryOptions: &postgres.RetryOptions{DurationInSeconds: ptr(int64(9999))}}); err == nil {
		t.Fatal("invalid update accepted")
	}

	j, err := json.Marshal(n.Describe())
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"RoleARN":"arn:aws:iam::123456789012:role/firehose",` +
		`"ClusterJDBCURL":"jdbc:redshift://examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com:5439/dev",` +
		`"CopyCommand":{"DataTableName":"other"},"Username":"firehose","RetryOptions":{"DurationInSeconds":60},"S3BackupMode":"Enabled"}`
	if string(j) != want {
		t.Fatalf("Describe:\n%s\nwant\n%s", j, want)
	}
	if strings.Contains(string(j), "secret") {
		t.Fatal("password described")
	}
}

package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/schemas"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	smithy "github.com/aws/smithy-go"
)

// renderDeliveryStreams prints the delivery streams of a parse result for
// the golden files of testdata/parse.
func renderDeliveryStreams(b *bytes.Buffer, ds []DeliveryStream) {
	for _, d := range ds {
		cfg, err := json.Marshal(d.Config)
		if err != nil {
			fmt.Fprintf(b, "BUG: %v\n", err)
		}
		fmt.Fprintf(b, "delivery stream %q line=%d type=%s source=%q source_role_arn=%q destination=%s config=%s tags=",
			d.Name, d.Line, d.Type(), d.Source, d.SourceRoleARN, d.Destination, cfg)
		writeMap(b, d.Tags)
		b.WriteString("\n")
		if d.Tags == nil {
			b.WriteString("BUG: nil Tags\n")
		}
	}
}

// TestShapeNamesAreMembers pins what the Structure fields rely on: every
// exported field of the SDK's destination types, at every depth, is named
// exactly as the AWS member it serializes (the SDK's schemas carry AWS's
// member names).
func TestShapeNamesAreMembers(t *testing.T) {
	roots := map[reflect.Type]*smithy.Schema{
		reflect.TypeFor[ftypes.ExtendedS3DestinationConfiguration]():              schemas.ExtendedS3DestinationConfiguration,
		reflect.TypeFor[ftypes.HttpEndpointDestinationConfiguration]():            schemas.HttpEndpointDestinationConfiguration,
		reflect.TypeFor[ftypes.AmazonopensearchserviceDestinationConfiguration](): schemas.AmazonopensearchserviceDestinationConfiguration,
		reflect.TypeFor[ftypes.ElasticsearchDestinationConfiguration]():           schemas.ElasticsearchDestinationConfiguration,
		reflect.TypeFor[ftypes.SplunkDestinationConfiguration]():                  schemas.SplunkDestinationConfiguration,
		reflect.TypeFor[ftypes.RedshiftDestinationConfiguration]():                schemas.RedshiftDestinationConfiguration,
		reflect.TypeFor[ftypes.ExtendedS3DestinationUpdate]():                     schemas.ExtendedS3DestinationUpdate,
		reflect.TypeFor[ftypes.HttpEndpointDestinationUpdate]():                   schemas.HttpEndpointDestinationUpdate,
		reflect.TypeFor[ftypes.ExtendedS3DestinationDescription]():                schemas.ExtendedS3DestinationDescription,
	}
	sdkKinds := 0
	for i := range destKinds {
		if !destKinds[i].own() {
			sdkKinds++
		}
	}
	if len(roots) < sdkKinds {
		t.Fatal("a destination kind is not checked")
	}
	visited := map[string]bool{}
	var check func(path string, typ reflect.Type, s *smithy.Schema)
	check = func(path string, typ reflect.Type, s *smithy.Schema) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
			if s.ListMember() != nil && len(s.Members()) == 1 {
				s = s.ListMember()
			}
		}
		if typ.Kind() != reflect.Struct || typ == timeType {
			return
		}
		for _, name := range shapeMembers(typ) {
			m := s.Member(name)
			if m == nil {
				t.Errorf("%s.%s: no such member in the schema %s", path, name, s.ID())
				continue
			}
			f, _ := typ.FieldByName(name)
			visited[path+"."+name] = true
			check(path+"."+name, f.Type, m)
		}
	}
	for typ, s := range roots {
		if s == nil {
			t.Fatalf("no schema for %s", typ.Name())
		}
		check(typ.Name(), typ, s)
	}
	const deep = "ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors.Parameters.ParameterValue"
	if !visited[deep] {
		t.Errorf("the walk did not reach %s (%d members visited)", deep, len(visited))
	}
	for _, k := range destKinds {
		if k.own() {
			continue // kinesin's own shape (see TestOwnDestination)
		}
		if _, ok := roots[k.config]; !ok {
			t.Errorf("%s (%s) is not checked", k.field, k.config.Name())
		}
		for typ, name := range map[reflect.Type]string{
			reflect.TypeFor[firehose.CreateDeliveryStreamInput](): k.createAs,
			reflect.TypeFor[firehose.UpdateDestinationInput]():    k.updateAs,
			reflect.TypeFor[ftypes.DestinationDescription]():      k.describedAs,
		} {
			if _, ok := typ.FieldByName(name); !ok {
				t.Errorf("%s: %s has no member %s", k.field, typ.Name(), name)
			}
		}
	}
}

// TestFillPlain: a structure parsed from the file goes into the SDK's
// types and comes back unchanged, renames included.
func TestFillPlain(t *testing.T) {
	cfg := map[string]any{
		"BucketARN":         "arn:aws:s3:::lake",
		"CompressionFormat": "GZIP",
		"BufferingHints":    map[string]any{"SizeInMBs": int64(64), "IntervalInSeconds": int64(0)},
		"ProcessingConfiguration": map[string]any{"Enabled": true, "Processors": []any{
			map[string]any{"Type": "Lambda", "Parameters": []any{map[string]any{"ParameterName": "LambdaArn", "ParameterValue": "arn"}}},
		}},
		"S3BackupConfiguration": map[string]any{"BucketARN": "arn:aws:s3:::backup"},
		"DataFormatConversionConfiguration": map[string]any{"OutputFormatConfiguration": map[string]any{"Serializer": map[string]any{
			"OrcSerDe": map[string]any{"BloomFilterFalsePositiveProbability": 0.05, "PaddingTolerance": int64(1)},
		}}},
	}
	var c ftypes.ExtendedS3DestinationConfiguration
	if err := fill(reflect.ValueOf(&c).Elem(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(c.BucketARN) != "arn:aws:s3:::lake" || c.CompressionFormat != ftypes.CompressionFormatGzip ||
		aws.ToInt32(c.BufferingHints.SizeInMBs) != 64 || c.BufferingHints.IntervalInSeconds == nil ||
		c.ProcessingConfiguration.Processors[0].Parameters[0].ParameterName != ftypes.ProcessorParameterNameLambdaArn ||
		aws.ToString(c.S3BackupConfiguration.BucketARN) != "arn:aws:s3:::backup" {
		t.Errorf("filled %+v", c)
	}
	back := plain(reflect.ValueOf(c))
	back.(map[string]any)["DataFormatConversionConfiguration"].(map[string]any)["OutputFormatConfiguration"].(map[string]any)["Serializer"].(map[string]any)["OrcSerDe"].(map[string]any)["PaddingTolerance"] = int64(1)
	if d := diffShape("x", cfg, back); len(d) != 0 {
		t.Errorf("round trip differs: %q", d)
	}

	var u ftypes.ExtendedS3DestinationUpdate
	if err := fill(reflect.ValueOf(&u).Elem(), cfg, updatedAs); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.S3BackupUpdate.BucketARN) != "arn:aws:s3:::backup" {
		t.Errorf("update %+v", u)
	}
	var o ftypes.AmazonopensearchserviceDestinationUpdate
	err := fill(reflect.ValueOf(&o).Elem(), map[string]any{"VpcConfiguration": map[string]any{}}, updatedAs)
	if err == nil || !strings.Contains(err.Error(), "has no member VpcConfiguration") {
		t.Errorf("fill of a member the type lacks: %v", err)
	}
}

// TestDiffShape: only what the file gives is compared, under the
// description's names; secrets the description omits are skipped.
func TestDiffShape(t *testing.T) {
	have := map[string]any{
		"BucketARN":                "arn:aws:s3:::lake",
		"Prefix":                   "p/",
		"BufferingHints":           map[string]any{"SizeInMBs": int64(5), "IntervalInSeconds": int64(300)},
		"CompressionFormat":        "UNCOMPRESSED",
		"S3DestinationDescription": map[string]any{"BucketARN": "arn:aws:s3:::backup", "Prefix": ""},
		"EndpointConfiguration":    map[string]any{"Url": "https://x"},
		"Processors":               []any{map[string]any{"Type": "Lambda"}},
	}
	for _, c := range []struct {
		want map[string]any
		diff []string
	}{
		{map[string]any{"BucketARN": "arn:aws:s3:::lake"}, nil},
		{map[string]any{"BufferingHints": map[string]any{"SizeInMBs": int64(5)}}, nil},
		{map[string]any{"S3Configuration": map[string]any{"BucketARN": "arn:aws:s3:::backup"}}, nil},
		{map[string]any{"EndpointConfiguration": map[string]any{"Url": "https://x", "AccessKey": "k"}}, nil},
		{map[string]any{"Processors": []any{map[string]any{"Type": "Lambda"}}}, nil},
		{map[string]any{"BufferingHints": map[string]any{"IntervalInSeconds": int64(0)}, "Prefix": "q/"},
			[]string{"d.BufferingHints.IntervalInSeconds 300 → 0", "d.Prefix p/ → q/"}},
		{map[string]any{"ErrorOutputPrefix": "e/"}, []string{"d.ErrorOutputPrefix none → e/"}},
		{map[string]any{"S3Configuration": map[string]any{"Prefix": "b/"}}, []string{`d.S3Configuration.Prefix "" → b/`}},
		{map[string]any{"Processors": []any{}}, []string{`d.Processors [{"Type":"Lambda"}] → []`}},
	} {
		got := diffShape("d", c.want, have)
		if strings.Join(got, "\n") != strings.Join(c.diff, "\n") {
			t.Errorf("diffShape(%v) = %q, want %q", c.want, got, c.diff)
		}
	}
}

// TestUpdateDestinationInput: the file's members go under the update's
// names; a member the update cannot carry is fine while it equals the
// server's and an error once it differs.
func TestUpdateDestinationInput(t *testing.T) {
	desc := &ftypes.DeliveryStreamDescription{
		VersionId: aws.String("3"),
		Destinations: []ftypes.DestinationDescription{{
			DestinationId: aws.String("destinationId-000000000001"),
			AmazonopensearchserviceDestinationDescription: &ftypes.AmazonopensearchserviceDestinationDescription{
				IndexName:                   aws.String("logs"),
				VpcConfigurationDescription: &ftypes.VpcConfigurationDescription{SubnetIds: []string{"a"}},
			},
		}},
	}
	d := &DeliveryStream{Name: "x", Destination: "opensearch", Config: map[string]any{
		"IndexName":        "logs2",
		"VpcConfiguration": map[string]any{"SubnetIds": []any{"a"}},
		"S3Configuration":  map[string]any{"Prefix": "b/"},
	}}
	in, err := updateDestinationInput(d, kindOf("opensearch"), desc, true)
	if err != nil {
		t.Fatal(err)
	}
	u := in.AmazonopensearchserviceDestinationUpdate
	if aws.ToString(in.CurrentDeliveryStreamVersionId) != "3" || aws.ToString(in.DestinationId) != "destinationId-000000000001" ||
		u == nil || aws.ToString(u.IndexName) != "logs2" || u.S3Update == nil || aws.ToString(u.S3Update.Prefix) != "b/" {
		t.Errorf("update input %+v", in)
	}
	d.Config["VpcConfiguration"] = map[string]any{"SubnetIds": []any{"b"}}
	if _, err := updateDestinationInput(d, kindOf("opensearch"), desc, true); err == nil ||
		!strings.HasPrefix(err.Error(), "opensearch.VpcConfiguration cannot be changed by UpdateDestination") {
		t.Errorf("changed VpcConfiguration: %v", err)
	}
}

// TestExtraMembers: Columns, kinesin's member of SchemaConfiguration, is
// found under its path, left out of the SDK's types by fill, and read back
// from DescribeDeliveryStream's raw JSON for comparison.
func TestExtraMembers(t *testing.T) {
	cols := []any{map[string]any{"Name": "id", "Type": "int"}}
	d := &DeliveryStream{Name: "x", Destination: "extended_s3", Config: map[string]any{
		"BucketARN": "arn:aws:s3:::lake",
		"DataFormatConversionConfiguration": map[string]any{"Enabled": true,
			"SchemaConfiguration": map[string]any{"TableName": "t", "Columns": cols}},
	}}
	kind := kindOf("extended_s3")
	extras := extrasIn(kind.config, d.Config, nil)
	if len(extras) != 1 || strings.Join(extras[0].path, ".") != "DataFormatConversionConfiguration.SchemaConfiguration.Columns" {
		t.Fatalf("extras %+v", extras)
	}
	in, err := createDeliveryInput(d, kind, "")
	if err != nil {
		t.Fatal(err)
	}
	if sc := in.ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration.SchemaConfiguration; aws.ToString(sc.TableName) != "t" {
		t.Errorf("filled %+v", sc)
	}
	have := map[string]any{"BucketARN": "arn:aws:s3:::lake",
		"DataFormatConversionConfiguration": map[string]any{"Enabled": true, "SchemaConfiguration": map[string]any{"TableName": "t"}}}
	if diffs := diffShape("e", d.Config, have); len(diffs) != 1 {
		t.Errorf("without the raw answer: %q", diffs)
	}
	for _, c := range []struct {
		raw   string
		diffs int
	}{
		{`{"DeliveryStreamDescription":{"Destinations":[{"ExtendedS3DestinationDescription":{"DataFormatConversionConfiguration":{"SchemaConfiguration":{"Columns":[{"Name":"id","Type":"int"}]}}}}]}}`, 0},
		{`{"DeliveryStreamDescription":{"Destinations":[{"ExtendedS3DestinationDescription":{"DataFormatConversionConfiguration":{"SchemaConfiguration":{"Columns":[{"Name":"id","Type":"bigint"}]}}}}]}}`, 1},
		{`{"DeliveryStreamDescription":{"Destinations":[{"ExtendedS3DestinationDescription":{}}]}}`, 1},
	} {
		h, err := withRawExtras(d, kind, have, []byte(c.raw))
		if err != nil {
			t.Fatal(err)
		}
		if diffs := diffShape("e", d.Config, h); len(diffs) != c.diffs {
			t.Errorf("%s: diffs %q", c.raw, diffs)
		}
	}
	if _, err := withRawExtras(d, kind, have, []byte(`{`)); err == nil {
		t.Error("withRawExtras of broken JSON: no error")
	}
}

// FuzzParseDeliveryStreams: the parser never panics, and whatever it
// accepts as a destination goes into the SDK's request types.
func FuzzParseDeliveryStreams(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/parse/*.yaml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("delivery_streams:\n  - name: x\n    extended_s3: {BufferingHints: {SizeInMBs: 2147483648}}\n"))
	f.Add([]byte("delivery_streams:\n  - name: x\n    redshift: {CopyCommand: {DataTableName: [1]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.yaml", data)
		if err != nil {
			return
		}
		for i := range file.DeliveryStreams {
			d := &file.DeliveryStreams[i]
			if _, err := createDeliveryInput(d, kindOf(d.Destination), d.Source); err != nil {
				t.Errorf("%s: accepted but not sent: %v", d.Name, err)
			}
		}
	})
}

package objstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kinesin/kinesin/sinks/objstore"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		want    objstore.S3Options
		wantErr string
	}{
		{in: "http://127.0.0.1:7070",
			want: objstore.S3Options{Endpoint: "http://127.0.0.1:7070", Region: "us-east-1", PathStyle: true}},
		{in: "http://user:secret@127.0.0.1:7070?region=us-east-1",
			want: objstore.S3Options{Endpoint: "http://127.0.0.1:7070", Region: "us-east-1", AccessKeyID: "user", SecretAccessKey: "secret", PathStyle: true}},
		{in: "https://AKIA:se%2Fcr%40et@minio.example.com:9000/?region=eu-central-1",
			want: objstore.S3Options{Endpoint: "https://minio.example.com:9000", Region: "eu-central-1", AccessKeyID: "AKIA", SecretAccessKey: "se/cr@et", PathStyle: true}},
		{in: "http://localhost:9000?path-style=true",
			want: objstore.S3Options{Endpoint: "http://localhost:9000", Region: "us-east-1", PathStyle: true}},
		{in: "http://[::1]:7070",
			want: objstore.S3Options{Endpoint: "http://[::1]:7070", Region: "us-east-1", PathStyle: true}},
		{in: "https://s3.eu-west-1.amazonaws.com",
			want: objstore.S3Options{Endpoint: "https://s3.eu-west-1.amazonaws.com", Region: "eu-west-1"}},
		{in: "https://s3-us-west-2.amazonaws.com",
			want: objstore.S3Options{Endpoint: "https://s3-us-west-2.amazonaws.com", Region: "us-west-2"}},
		{in: "https://s3.dualstack.ap-south-1.amazonaws.com",
			want: objstore.S3Options{Endpoint: "https://s3.dualstack.ap-south-1.amazonaws.com", Region: "ap-south-1"}},
		{in: "https://s3.cn-north-1.amazonaws.com.cn",
			want: objstore.S3Options{Endpoint: "https://s3.cn-north-1.amazonaws.com.cn", Region: "cn-north-1"}},
		{in: "https://s3.amazonaws.com?region=eu-west-1&path-style=true",
			want: objstore.S3Options{Endpoint: "https://s3.amazonaws.com", Region: "eu-west-1", PathStyle: true}},
		{in: "https://s3.amazonaws.com",
			want: objstore.S3Options{Endpoint: "https://s3.amazonaws.com", Region: "us-east-1"}},

		{in: "", wantErr: "empty s3 endpoint"},
		{in: "127.0.0.1:7070", wantErr: "not a URL"},
		{in: "localhost:7070", wantErr: `scheme "localhost"`},
		{in: "ftp://host", wantErr: `scheme "ftp"`},
		{in: "s3://bucket/key", wantErr: `scheme "s3"`},
		{in: "http://", wantErr: "no host"},
		{in: "http://:7070", wantErr: "no host"},
		{in: "http:host", wantErr: "no host"},
		{in: "http://host/bucket", wantErr: `path "/bucket"`},
		{in: "http://host#frag", wantErr: "fragment"},
		{in: "http://host:0", wantErr: `port "0"`},
		{in: "http://host:99999", wantErr: `port "99999"`},
		{in: "http://user@host", wantErr: "ACCESS_KEY_ID:SECRET_ACCESS_KEY"},
		{in: "http://user:@host", wantErr: "ACCESS_KEY_ID:SECRET_ACCESS_KEY"},
		{in: "http://:secret@host", wantErr: "ACCESS_KEY_ID:SECRET_ACCESS_KEY"},
		{in: "http://host?regoin=x", wantErr: `unknown parameter "regoin"`},
		{in: "http://host?region=", wantErr: `region ""`},
		{in: "http://host?region=a&region=b", wantErr: "region given 2 times"},
		{in: "http://host?path-style=maybe", wantErr: `path-style "maybe"`},
		{in: "http://host?path-style=false", wantErr: "only AWS hosts"},
		{in: "http://k:topsecret@host?bogus=1", wantErr: "unknown parameter"},
		{in: "http://host?a=%zz", wantErr: "query"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := objstore.ParseURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseURL(%q) = %+v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "topsecret") {
					t.Fatalf("error shows the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("ParseURL(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if _, err := objstore.NewS3(got); err != nil {
				t.Fatalf("NewS3(%+v): %v", got, err)
			}
		})
	}
}

func TestNewS3Options(t *testing.T) {
	tests := []struct {
		name              string
		env               map[string]string
		in                objstore.S3Options
		key, secret, sess string
		region            string
		pathStyle         bool
		endpoint          string
		wantErr           bool
	}{
		{name: "given credentials", in: objstore.S3Options{Endpoint: "http://127.0.0.1:7070", AccessKeyID: "k", SecretAccessKey: "s"},
			key: "k", secret: "s", region: "us-east-1", pathStyle: true, endpoint: "http://127.0.0.1:7070"},
		{name: "environment", env: map[string]string{"AWS_ACCESS_KEY_ID": "ek", "AWS_SECRET_ACCESS_KEY": "es", "AWS_SESSION_TOKEN": "et"},
			in:  objstore.S3Options{Endpoint: "http://minio:9000", Region: "eu-west-3"},
			key: "ek", secret: "es", sess: "et", region: "eu-west-3", pathStyle: true, endpoint: "http://minio:9000"},
		{name: "test/test", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
			in:  objstore.S3Options{Endpoint: "http://minio:9000"},
			key: "test", secret: "test", region: "us-east-1", pathStyle: true, endpoint: "http://minio:9000"},
		{name: "half the environment", env: map[string]string{"AWS_ACCESS_KEY_ID": "ek", "AWS_SECRET_ACCESS_KEY": ""},
			in:  objstore.S3Options{Endpoint: "http://minio:9000"},
			key: "test", secret: "test", region: "us-east-1", pathStyle: true, endpoint: "http://minio:9000"},
		{name: "AWS virtual-hosted", in: objstore.S3Options{Endpoint: "https://s3.eu-west-1.amazonaws.com", Region: "eu-west-1", AccessKeyID: "k", SecretAccessKey: "s"},
			key: "k", secret: "s", region: "eu-west-1", pathStyle: false, endpoint: "https://s3.eu-west-1.amazonaws.com"},
		{name: "AWS path style", in: objstore.S3Options{Endpoint: "https://s3.eu-west-1.amazonaws.com", Region: "eu-west-1", AccessKeyID: "k", SecretAccessKey: "s", PathStyle: true},
			key: "k", secret: "s", region: "eu-west-1", pathStyle: true, endpoint: "https://s3.eu-west-1.amazonaws.com"},
		{name: "AWS default endpoint", in: objstore.S3Options{AccessKeyID: "k", SecretAccessKey: "s"},
			key: "k", secret: "s", region: "us-east-1"},
		{name: "key without secret", in: objstore.S3Options{Endpoint: "http://h", AccessKeyID: "k"}, wantErr: true},
		{name: "bad endpoint", in: objstore.S3Options{Endpoint: "h:9000"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			o, err := objstore.ClientOptions(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := o.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != tt.key || c.SecretAccessKey != tt.secret || c.SessionToken != tt.sess {
				t.Errorf("credentials %q %q %q, want %q %q %q", c.AccessKeyID, c.SecretAccessKey, c.SessionToken, tt.key, tt.secret, tt.sess)
			}
			if o.Region != tt.region {
				t.Errorf("region %q, want %q", o.Region, tt.region)
			}
			if o.UsePathStyle != tt.pathStyle {
				t.Errorf("path style %v, want %v", o.UsePathStyle, tt.pathStyle)
			}
			if got := deref(o.BaseEndpoint); got != tt.endpoint {
				t.Errorf("endpoint %q, want %q", got, tt.endpoint)
			}
			if o.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired || o.ResponseChecksumValidation != aws.ResponseChecksumValidationWhenRequired {
				t.Errorf("checksums %v %v, want when required", o.RequestChecksumCalculation, o.ResponseChecksumValidation)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// FuzzParseURL checks that ParseURL never panics, never shows a password
// in an error, and that the endpoint it answers parses again to itself.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:7070",
		"http://user:secret@127.0.0.1:7070?region=us-east-1",
		"https://s3.eu-west-1.amazonaws.com?path-style=true",
		"https://s3-us-west-2.amazonaws.com.cn",
		"http://[::1]:7070/",
		"http://h?region=a&region=b",
		"http://u:p@h:0#x",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := objstore.ParseURL(s)
		if err != nil {
			if strings.Contains(s, ":topsecret@") && strings.Contains(err.Error(), "topsecret") {
				t.Fatalf("error shows the password: %v", err)
			}
			return
		}
		again, err := objstore.ParseURL(o.Endpoint)
		if err != nil {
			t.Fatalf("endpoint %q of %q does not parse: %v", o.Endpoint, s, err)
		}
		if again.Endpoint != o.Endpoint || again.AccessKeyID != "" {
			t.Fatalf("endpoint %q of %q parses to %+v", o.Endpoint, s, again)
		}
		if o.Region == "" {
			t.Fatalf("no region for %q", s)
		}
	})
}

// FuzzFSKey checks that a key and bucket the filesystem store takes stay
// inside the bucket's directory.
func FuzzFSKey(f *testing.F) {
	for _, s := range [][2]string{
		{"b", "a/b/c"}, {"b", "../x"}, {"..", "x"}, {"b", "a/./b"}, {"b", "a//b"},
		{"b", "/abs"}, {"b", `a\..\..\x`}, {"b", "a/.tmp-1"}, {"b/c", "x"}, {"b", "a\x00"},
	} {
		f.Add(s[0], s[1])
	}
	dir := f.TempDir()
	st := objstore.NewFS(dir).(*objstore.FS)
	root := filepath.Join(dir, "s3")
	f.Fuzz(func(t *testing.T, bucket, key string) {
		p, err := st.Path(bucket, key)
		if err != nil {
			if !errors.Is(err, objstore.ErrInvalidKey) {
				t.Fatalf("Path(%q, %q): %v, not ErrInvalidKey", bucket, key, err)
			}
			return
		}
		bdir := filepath.Join(root, bucket)
		if filepath.Dir(bdir) != root {
			t.Fatalf("bucket %q is directory %s, not one below %s", bucket, bdir, root)
		}
		rel, err := filepath.Rel(bdir, p)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.ToSlash(rel) != key {
			t.Fatalf("key %q is file %s, rel %q, %v", key, p, rel, err)
		}
	})
}

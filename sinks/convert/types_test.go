package convert

import (
	"strings"
	"testing"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "string", want: "string"},
		{in: "STRING", want: "string"},
		{in: "varchar(20)", want: "string"},
		{in: "char(3)", want: "string"},
		{in: "int", want: "int"},
		{in: "integer", want: "int"},
		{in: "bigint", want: "bigint"},
		{in: "smallint", want: "smallint"},
		{in: "tinyint", want: "tinyint"},
		{in: "double", want: "double"},
		{in: "float", want: "float"},
		{in: "boolean", want: "boolean"},
		{in: "timestamp", want: "timestamp"},
		{in: "date", want: "date"},
		{in: "binary", want: "binary"},
		{in: "decimal", want: "decimal(10,0)"},
		{in: "decimal(5)", want: "decimal(5,0)"},
		{in: "decimal( 38 , 10 )", want: "decimal(38,10)"},
		{in: "array<int>", want: "array<int>"},
		{in: " array < array<string> > ", want: "array<array<string>>"},
		{in: "map<string,bigint>", want: "map<string,bigint>"},
		{in: "map<varchar(5),array<int>>", want: "map<string,array<int>>"},
		{in: "struct<a:int,B:struct<c:string>>", want: "struct<a:int,B:struct<c:string>>"},
		{in: "struct< a : int , b : map<string,double> >", want: "struct<a:int,b:map<string,double>>"},
		{in: "", err: "expected a type name"},
		{in: "uuid", err: "unknown type"},
		{in: "int int", err: "unexpected"},
		{in: "array<int", err: `expected '>'`},
		{in: "array<>", err: "expected a type name"},
		{in: "map<int,string>", err: "map keys must be string"},
		{in: "map<string>", err: `expected ','`},
		{in: "struct<>", err: "expected a field name"},
		{in: "struct<a:int,a:string>", err: "duplicate field"},
		{in: "struct<a:int,A:string>", err: "duplicate field"},
		{in: "struct<a int>", err: `expected ':'`},
		{in: "decimal(0,0)", err: "precision"},
		{in: "decimal(39,0)", err: "precision"},
		{in: "decimal(5,6)", err: "precision"},
		{in: "decimal(99999)", err: "small number"},
		{in: "varchar", err: `expected '('`},
		{in: strings.Repeat("array<", 100) + "int" + strings.Repeat(">", 100), err: "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseType(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseType(%q) error = %v, want containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseType(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Fatalf("ParseType(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseType checks that the parser never panics and that the canonical
// form of anything it accepts parses back to itself.
func FuzzParseType(f *testing.F) {
	for _, s := range []string{
		"string", "decimal(10,2)", "array<map<string,struct<a:int,b:array<date>>>>",
		"struct<x:timestamp>", "map<string,binary>", "varchar(10)", "array<", "struct<a:>", "decimal(3,", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, err := ParseType(s)
		if err != nil {
			return
		}
		canon := typ.String()
		again, err := ParseType(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canon, s, err)
		}
		if again.String() != canon {
			t.Fatalf("canonical form not stable: %q -> %q", canon, again.String())
		}
	})
}

func TestJodaToGo(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "yyyy-MM-dd'T'HH:mm:ss'Z'", want: "2006-01-02T15:04:05Z"},
		{in: "yyyy-MM-dd HH:mm:ss.SSS", want: "2006-01-02 15:04:05.000"},
		{in: "dd/MM/yyyy hh:mm:ss a", want: "02/01/2006 03:04:05 PM"},
		{in: "EEE, dd MMM yyyy HH:mm:ss Z", want: "Mon, 02 Jan 2006 15:04:05 -0700"},
		{in: "yyyy-MM-dd'T'HH:mm:ssZZ", want: "2006-01-02T15:04:05-07:00"},
		{in: "yy-M-d H:m:s", want: "06-1-2 15:4:5"},
		{in: "yyyy''MM", want: "2006'01"},
		{in: "yyyy-MM-dd G", err: "unsupported"},
		{in: "ss SSS", err: "fraction"},
		{in: "yyyy'T", err: "unterminated"},
		{in: "yyyy'Jan'", err: "cannot be expressed"},
		{in: "2019-MM", err: "digits"},
	}
	for _, tt := range tests {
		got, err := jodaToGo(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("jodaToGo(%q) error = %v, want containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("jodaToGo(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

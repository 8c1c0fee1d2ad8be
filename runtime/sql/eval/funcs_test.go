package eval

import (
	"strings"
	"testing"
)

// TestFunctions holds the reference's own examples (function pages) plus
// edge cases, expression → printed value or "error: substring".
func TestFunctions(t *testing.T) {
	tests := []struct{ expr, want string }{
		// SUBSTRING page.
		{"SUBSTRING('123456789' FROM 3 FOR 4)", "3456"}, {"SUBSTRING('123456789' FROM 17 FOR 4)", ""},
		{"SUBSTRING('123456789' FROM -1 FOR 4)", "12"}, {"SUBSTRING('123456789' FROM 6 FOR 0)", ""},
		{"SUBSTRING('123456789' FROM 8 FOR 4)", "89"}, {"SUBSTRING('123456789', 3, 4)", "3456"}, {"SUBSTRING('123456789' FROM 5)", "56789"},
		{"SUBSTRING('123456789' FROM 2 FOR -1)", "error: negative length"}, {"SUBSTRING('héllo' FROM 2 FOR 2)", "él"},
		{"SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*')", "LOGY"}, {"SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*' FOR 2)", "LO"},
		{"SUBSTRING('TECHNOLOGY' FROM 'X+')", "NULL"},
		{"SUBSTRING('Thomas' SIMILAR '%#\"o_a#\"_' ESCAPE '#')", "oma"}, {"SUBSTRING('Thomas' SIMILAR '%#\"x#\"_' ESCAPE '#')", "NULL"},
		{"SUBSTRING('Thomas' SIMILAR '%o_a_' ESCAPE '#')", "error: two"},
		// OVERLAY page.
		{"OVERLAY('12345' PLACING 'foo' FROM 1)", "foo45"}, {"OVERLAY('12345' PLACING 'foo' FROM 0)", "foo345"},
		{"OVERLAY('12345' PLACING 'foo' FROM -2)", "foo12345"}, {"OVERLAY('12345' PLACING 'foo' FROM 4)", "123foo"},
		{"OVERLAY('12345' PLACING 'foo' FROM 17)", "12345foo"}, {"OVERLAY('12345' PLACING 'foo' FROM 2 FOR 0)", "1foo2345"},
		{"OVERLAY('12345' PLACING 'foo' FROM 2 FOR 2)", "1foo45"}, {"OVERLAY('12345' PLACING 'foo' FROM 2 FOR 9)", "1foo"},
		{"OVERLAY('12345' PLACING 'foo' FROM 2 FOR -1)", "error: negative"},
		// POSITION, CHAR_LENGTH, UPPER, LOWER, INITCAP, TRIM.
		{"POSITION('findme' IN '1234findmeXXX')", "5"}, {"POSITION('findme' IN '1234not-hereXXX')", "0"},
		{"POSITION('1' IN '1234567')", "1"}, {"POSITION('7' IN '1234567')", "7"}, {"POSITION('' IN '1234567')", "1"},
		{"CHAR_LENGTH('one two')", "7"}, {"CHARACTER_LENGTH('héllo')", "5"}, {"UPPER('Hello')", "HELLO"}, {"LOWER('HeLLo')", "hello"},
		{"INITCAP('each FIRST lEtTeR is cAPITALIZED')", "Each First Letter Is Capitalized"}, {"INITCAP('i22d 3a-b')", "I22d 3a-b"},
		{"TRIM(BOTH '*' FROM '***starboard***')", "starboard"}, {"TRIM(LEADING '*' FROM '***starboard***')", "starboard***"},
		{"TRIM(TRAILING '*' FROM '***starboard***')", "***starboard"}, {"TRIM('  x  ')", "x"}, {"TRIM(' ' FROM '  x ')", "x"},
		{"TRIM(BOTH 'ab' FROM 'abxab')", "error: one character"},
		// REGEX_REPLACE page.
		{"REGEX_REPLACE(sector, 'TECHNOLOGY', 'INFORMATION TECHNOLOGY', 1, 0)", "INFORMATION TECHNOLOGY"},
		{"REGEX_REPLACE('aaa', 'a', 'b', 1, 2)", "aba"}, {"REGEX_REPLACE('aaa', 'a', 'b', 2, 0)", "abb"}, {"REGEX_REPLACE('aaa', 'a', 'b', 9, 0)", "aaa"},
		{"REGEX_REPLACE('john smith', '(\\w+) (\\w+)', '$2, $1', 1, 0)", "smith, john"}, {"REGEX_REPLACE('a', 'a', '\\$1', 1, 0)", "$1"},
		{"REGEX_REPLACE('aaa', 'a', 'b', 0, 0)", "error: less than 1"}, {"REGEX_REPLACE('aaa', 'a', 'b', 1, -1)", "error: negative"},
		{"REGEX_REPLACE('aaa', '(', 'b', 1, 0)", "error: "},
		// Numeric functions.
		{"ABS(-2)", "2"}, {"ABS(-2.5)", "2.5"}, {"ABS(-2.5e0)", "2.5"}, {"ABS(CAST(-128 AS TINYINT))", "error: numeric overflow"},
		{"CEIL(3.2)", "4.0"}, {"CEILING(-3.2)", "-3.0"}, {"FLOOR(3.7)", "3.0"}, {"FLOOR(-3.2)", "-4.0"}, {"FLOOR(-3.5e0)", "-4.0"}, {"CEIL(7)", "7"},
		{"EXP(0)", "1.0"}, {"LN(1)", "0.0"}, {"LOG10(1000)", "3.0"}, {"LN(0)", "error: logarithm"}, {"SQRT(16)", "4.0"},
		{"POWER(3, 2)", "9.0"}, {"POWER(2, -1)", "0.5"}, {"POWER(-8, 0.5)", "error: fractional power"}, {"POWER(0, -1)", "error: negative power"},
		{"MOD(4,2)", "0"}, {"MOD(5,3)", "2"}, {"MOD(-4,3)", "-1"}, {"MOD(5,12)", "5"}, {"MOD(10, 0)", "error: division by zero"},
		{"MOD(10.5, 3)", "error: scale 0"}, {"MOD(1e0, 2)", "error: wrong type"}, {"MOD(CAST(7 AS DECIMAL(3,0)), 4)", "3"},
		// COALESCE and NULLIF are in the expression table; date/time functions.
		{"TSDIFF(TIMESTAMP '2004-09-26 11:23:45', TIMESTAMP '2004-09-26 11:23:46.5')", "1500"},
		{"TSDIFF(1000, 250)", "-750"},
		{"TO_TIMESTAMP(change_time)", "2016-12-02 00:00:00"}, {"TO_TIMESTAMP(1)", "1970-01-01 00:00:00.001"},
		{"UNIX_TIMESTAMP(TIMESTAMP '2016-12-02 00:00:00')", "1480636800000"},
		{"CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', '2009-09-16 03:15:24')", "2009-09-16 03:15:24"},
		{"CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-09-16 03:15:24')", "2009-09-16 00:00:00"},
		{"CHAR_TO_TIMESTAMP('yyyy-MM', '2009-09-16 03:15:24')", "2009-09-01 00:00:00"},
		{"CHAR_TO_TIMESTAMP('yyyy', '2009-09-16 03:15:24')", "2009-01-01 00:00:00"},
		{"CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm:ss.SSS', '2009-09-16 15:15:24.007')", "2009-09-16 15:15:24.007"},
		{"CHAR_TO_TIMESTAMP('dd/MMM/yyyy:HH:mm:ss Z', '10/Oct/2000:13:55:36 -0700')", "2000-10-10 20:55:36"},
		{"CHAR_TO_TIMESTAMP('yyyyMMddHHmmss', '20090916031524')", "2009-09-16 03:15:24"},
		{"CHAR_TO_TIMESTAMP('hh:mm a', '12:30 PM')", "1970-01-01 12:30:00"}, {"CHAR_TO_TIMESTAMP('hh:mm a', '12:30 AM')", "1970-01-01 00:30:00"},
		{"CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-02-30')", "error: unparseable date"}, {"CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-13-01')", "error: unparseable"},
		{"CHAR_TO_TIMESTAMP('yyyy-MM-dd q', 'x')", "error: illegal pattern character 'q'"},
		{"CHAR_TO_DATE('yyyy-MM-dd', '2009-09-16')", "2009-09-16"}, {"CHAR_TO_TIME('HH:mm:ss', '03:15:24')", "03:15:24"},
		{"TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss a', TIMESTAMP '2009-09-16 15:15:24')", "2009-09-16 03:15:24 PM"},
		{"TIMESTAMP_TO_CHAR('EEE, d MMM yyyy HH:mm:ss.SSS', ROWTIME)", "Sun, 26 Sep 2004 11:23:45.678"},
		{"TIMESTAMP_TO_CHAR('EEEE MMMM yy ''at'' k', TIMESTAMP '2009-09-16 00:15:24')", "Wednesday September 09 at 24"},
		{"TIMESTAMP_TO_CHAR('yyyy', CAST(NULL AS TIMESTAMP))", "null"},
		{"DATE_TO_CHAR('dd.MM.yyyy', DATE '2009-09-16')", "16.09.2009"}, {"TIME_TO_CHAR('HH-mm', TIME '03:15:24')", "03-15"},
		{"STEP(CAST('2004-09-26 11:23:45' AS TIMESTAMP) BY INTERVAL '10' SECOND)", "2004-09-26 11:23:40"},
		{"STEP(ROWTIME BY INTERVAL '1' MINUTE)", "2004-09-26 11:23:00"}, {"STEP(ROWTIME BY INTERVAL '2' HOUR)", "2004-09-26 10:00:00"},
		{"STEP(23 BY 5)", "20"}, {"STEP(30 BY 10)", "30"},
		{"STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL '10' SECOND)", "2004-09-30 13:48:20"},
		{"STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL '2' HOUR)", "2004-09-30 12:00:00"},
		{"STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL '5' MONTH)", "2004-08-01 00:00:00"},
		{"STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL '1' YEAR)", "2004-01-01 00:00:00"},
		{"STEP(17 BY 5)", "15"}, {"STEP(-3 BY 5)", "-5"}, {"STEP(1.7 BY 0.5)", "1.5"}, {"STEP(price BY 10)", "80.0"},
		{"STEP(ROWTIME BY 5)", "error: needs an INTERVAL"},
		{"FLOOR(ROWTIME TO MINUTE)", "2004-09-26 11:23:00"}, {"CEIL(ROWTIME TO MINUTE)", "2004-09-26 11:24:00"},
		{"FLOOR(ROWTIME TO HOUR)", "2004-09-26 11:00:00"}, {"FLOOR(ROWTIME TO DAY)", "2004-09-26 00:00:00"},
		{"FLOOR(ROWTIME TO MONTH)", "2004-09-01 00:00:00"}, {"CEIL(ROWTIME TO YEAR)", "2005-01-01 00:00:00"},
		{"FLOOR(ROWTIME TO QUARTER)", "2004-07-01 00:00:00"}, {"FLOOR(ROWTIME TO WEEK)", "2004-09-26 00:00:00"},
		{"CEIL(TIMESTAMP '2004-09-26 11:00:00' TO HOUR)", "2004-09-26 11:00:00"}, {"FLOOR(DATE '2004-09-26' TO MONTH)", "2004-09-01"},
		{"EXTRACT(YEAR FROM ROWTIME)", "2004"}, {"EXTRACT(MONTH FROM ROWTIME)", "9"}, {"EXTRACT(DAY FROM ROWTIME)", "26"},
		{"EXTRACT(HOUR FROM ROWTIME)", "11"}, {"EXTRACT(MINUTE FROM ROWTIME)", "23"}, {"EXTRACT(SECOND FROM ROWTIME)", "45.678"},
		// EXTRACT page.
		{"EXTRACT(DAY FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "2"}, {"EXTRACT(HOUR FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "3"},
		{"EXTRACT(MINUTE FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "4"}, {"EXTRACT(SECOND FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "5.678"},
		{"EXTRACT(MINUTE FROM TIMESTAMP '2016-09-23 04:29:26.234')", "29"}, {"EXTRACT(HOUR FROM TIMESTAMP '2016-09-23 04:29:26.234')", "4"},
		{"FLOOR(TIMESTAMP '2016-09-23 04:29:26.234' TO HOUR) + ((EXTRACT(MINUTE FROM TIMESTAMP '2016-09-23 04:29:26.234') / 30) * INTERVAL '30' MINUTE)", "2016-09-23 04:00:00"},
		{"FLOOR(TIMESTAMP '2016-09-23 04:39:26.234' TO HOUR) + ((EXTRACT(MINUTE FROM TIMESTAMP '2016-09-23 04:39:26.234') / 30) * INTERVAL '30' MINUTE)", "2016-09-23 04:30:00"},
		{"EXTRACT(QUARTER FROM ROWTIME)", "3"}, {"EXTRACT(DOW FROM ROWTIME)", "1"}, {"EXTRACT(DOY FROM ROWTIME)", "270"},
		{"EXTRACT(EPOCH FROM TIMESTAMP '1970-01-02 00:00:00')", "86400"}, {"EXTRACT(DAY FROM INTERVAL '3 4' DAY TO HOUR)", "3"},
		{"EXTRACT(HOUR FROM INTERVAL '3 4' DAY TO HOUR)", "4"}, {"EXTRACT(MONTH FROM INTERVAL '3-4' YEAR TO MONTH)", "4"},
		{"EXTRACT(HOUR FROM DATE '2004-09-26')", "error: cannot EXTRACT HOUR from a DATE"},
		// Type errors at compile time.
		{"UPPER(1)", "error: argument 1 of UPPER has the wrong type INTEGER"}, {"ABS('x')", "error: wrong type"},
		{"NOSUCH(1)", "error: unknown function NOSUCH"}, {"CHAR_LENGTH('a', 'b')", "error: takes 1 arguments"},
		{"SUM(qty)", "error: unknown function SUM"}, {"COUNT(*)", "error: aggregate"},
	}
	for _, tt := range tests {
		got, err := eval(t, tt.expr)
		s := got.String()
		if err != nil {
			s = "error: " + err.Error()
		}
		if strings.HasPrefix(tt.want, "error: ") {
			if err == nil || !strings.Contains(s, strings.TrimPrefix(tt.want, "error: ")) {
				t.Errorf("%s = %s, want %s", tt.expr, s, tt.want)
			}
			continue
		}
		if s != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, s, tt.want)
		}
	}
}

// TestNullPropagation passes a typed NULL in each argument position of
// every function and checks the result is NULL (TIMESTAMP_TO_CHAR and
// friends answer 'null' for a NULL datetime, as the reference says).
func TestNullPropagation(t *testing.T) {
	calls := []struct {
		name string
		args []string // argument expressions; each is replaced by CAST(NULL AS type) in turn
		typs []string
	}{
		{"CHAR_LENGTH", []string{"'a'"}, []string{"VARCHAR(2)"}},
		{"CHARACTER_LENGTH", []string{"'a'"}, []string{"VARCHAR(2)"}},
		{"UPPER", []string{"'a'"}, []string{"VARCHAR(2)"}},
		{"LOWER", []string{"'a'"}, []string{"VARCHAR(2)"}},
		{"INITCAP", []string{"'a'"}, []string{"VARCHAR(2)"}},
		{"REGEX_REPLACE", []string{"'a'", "'a'", "'b'", "1", "0"}, []string{"VARCHAR(2)", "VARCHAR(2)", "VARCHAR(2)", "INTEGER", "INTEGER"}},
		{"SUBSTRING", []string{"'abc'", "1", "2"}, []string{"VARCHAR(2)", "INTEGER", "INTEGER"}},
		{"ABS", []string{"1"}, []string{"INTEGER"}},
		{"CEIL", []string{"1.5"}, []string{"DOUBLE"}},
		{"CEILING", []string{"1.5"}, []string{"DECIMAL(4,1)"}},
		{"FLOOR", []string{"1.5"}, []string{"DOUBLE"}},
		{"EXP", []string{"1"}, []string{"DOUBLE"}},
		{"LN", []string{"1"}, []string{"DOUBLE"}},
		{"LOG10", []string{"1"}, []string{"DOUBLE"}},
		{"SQRT", []string{"1"}, []string{"DOUBLE"}},
		{"POWER", []string{"2", "3"}, []string{"DOUBLE", "INTEGER"}},
		{"MOD", []string{"5", "3"}, []string{"INTEGER", "INTEGER"}},
		{"NULLIF", []string{"1", "2"}, []string{"INTEGER", "INTEGER"}},
		{"TSDIFF", []string{"ROWTIME", "ROWTIME"}, []string{"TIMESTAMP", "TIMESTAMP"}},
		{"TO_TIMESTAMP", []string{"1"}, []string{"BIGINT"}},
		{"UNIX_TIMESTAMP", []string{"ROWTIME"}, []string{"TIMESTAMP"}},
		{"CHAR_TO_TIMESTAMP", []string{"'yyyy'", "'2000'"}, []string{"VARCHAR(4)", "VARCHAR(4)"}},
		{"CHAR_TO_DATE", []string{"'yyyy'", "'2000'"}, []string{"VARCHAR(4)", "VARCHAR(4)"}},
		{"CHAR_TO_TIME", []string{"'HH'", "'10'"}, []string{"VARCHAR(4)", "VARCHAR(4)"}},
		{"TIMESTAMP_TO_CHAR", []string{"'yyyy'", "ROWTIME"}, []string{"VARCHAR(4)", "TIMESTAMP"}},
		{"DATE_TO_CHAR", []string{"'yyyy'", "CURRENT_DATE"}, []string{"VARCHAR(4)", "DATE"}},
		{"TIME_TO_CHAR", []string{"'HH'", "CURRENT_TIME"}, []string{"VARCHAR(4)", "TIME"}},
	}
	for _, c := range calls {
		for i := range c.args {
			args := append([]string(nil), c.args...)
			args[i] = "CAST(NULL AS " + c.typs[i] + ")"
			src := c.name + "(" + strings.Join(args, ", ") + ")"
			got, err := eval(t, src)
			if err != nil {
				t.Errorf("%s: %v", src, err)
				continue
			}
			want := "NULL"
			if strings.HasSuffix(c.name, "_TO_CHAR") && i == 1 {
				want = "null"
			}
			if c.name == "NULLIF" && i == 1 {
				want = "1"
			}
			if got.String() != want {
				t.Errorf("%s = %s, want %s", src, got, want)
			}
		}
	}
	// Special forms and operators.
	for _, src := range []string{
		"SUBSTRING(CAST(n AS VARCHAR(3)) FROM 1)", "SUBSTRING('a' FROM n)", "SUBSTRING('a' FROM 1 FOR n)", "TRIM(BOTH CAST(NULL AS CHAR(1)) FROM 'a')",
		"TRIM(CAST(NULL AS VARCHAR(1)))", "POSITION(CAST(NULL AS VARCHAR(1)) IN 'a')", "POSITION('a' IN CAST(NULL AS VARCHAR(1)))",
		"OVERLAY(CAST(NULL AS VARCHAR(1)) PLACING 'a' FROM 1)", "OVERLAY('a' PLACING 'b' FROM n)", "OVERLAY('a' PLACING 'b' FROM 1 FOR n)",
		"EXTRACT(YEAR FROM CAST(NULL AS TIMESTAMP))", "FLOOR(CAST(NULL AS TIMESTAMP) TO HOUR)", "STEP(CAST(NULL AS TIMESTAMP) BY INTERVAL '1' SECOND)",
		"STEP(n BY 2)", "CAST(n AS VARCHAR(4))", "n + 1", "-n", "CAST(n AS VARCHAR(2)) || 'a'", "CAST(NULL AS TIMESTAMP) + INTERVAL '1' DAY", "n = n", "n < 1",
		"n BETWEEN 1 AND 2", "NOT CAST(NULL AS BOOLEAN)", "CAST(NULL AS VARCHAR(1)) LIKE 'a'", "'a' LIKE CAST(NULL AS VARCHAR(1))",
		"'a' LIKE 'a' ESCAPE CAST(NULL AS VARCHAR(1))", "CAST(NULL AS VARCHAR(1)) SIMILAR TO 'a'", "COALESCE(n, n)",
		"(CAST(NULL AS TIMESTAMP) - ROWTIME) SECOND", "CASE n WHEN 1 THEN 1 END",
	} {
		if got, err := eval(t, src); err != nil || !got.IsNull() {
			t.Errorf("%s = %v, %v; want NULL", src, got, err)
		}
	}
}

package eval

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Kind is the SQL type of a Value.
type Kind uint8

// Kinds, in the order of the SQL reference's data types page. Null is the
// kind of the NULL literal before it takes a type from its context.
const (
	Null Kind = iota
	Boolean
	TinyInt
	SmallInt
	Integer
	BigInt
	Decimal
	Real
	Double
	Char
	Varchar
	Varbinary
	Date
	Time
	Timestamp
	IntervalDayTime
	IntervalYearMonth
)

var kindNames = [...]string{"NULL", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DECIMAL",
	"REAL", "DOUBLE", "CHAR", "VARCHAR", "VARBINARY", "DATE", "TIME", "TIMESTAMP",
	"INTERVAL DAY TO SECOND", "INTERVAL YEAR TO MONTH"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// IsNumeric reports whether k is an exact or approximate number.
func (k Kind) IsNumeric() bool { return k >= TinyInt && k <= Double }

// IsInteger reports whether k is TINYINT, SMALLINT, INTEGER or BIGINT.
func (k Kind) IsInteger() bool { return k >= TinyInt && k <= BigInt }

// IsString reports whether k is CHAR or VARCHAR.
func (k Kind) IsString() bool { return k == Char || k == Varchar }

// IsDatetime reports whether k is DATE, TIME or TIMESTAMP.
func (k Kind) IsDatetime() bool { return k >= Date && k <= Timestamp }

// IsInterval reports whether k is an interval kind.
func (k Kind) IsInterval() bool { return k == IntervalDayTime || k == IntervalYearMonth }

// Interval units, kept in Value.Aux and Type.Unit of intervals: the least
// significant field of the interval's qualifier (CAST to a number counts
// in this unit).
const (
	UnitYear int8 = iota
	UnitMonth
	UnitDay
	UnitHour
	UnitMinute
	UnitSecond
)

var unitCodes = map[string]int8{"YEAR": UnitYear, "MONTH": UnitMonth, "DAY": UnitDay, "HOUR": UnitHour, "MINUTE": UnitMinute, "SECOND": UnitSecond}

// unitMillis is the length of a day-time unit in milliseconds.
var unitMillis = [...]int64{0, 0, 86400000, 3600000, 60000, 1000}

// Value is one SQL value. It is a small struct, not an interface, so rows
// are slices of values without an allocation per value.
//
//   - Boolean: I is 0 or 1.
//   - TINYINT..BIGINT: I.
//   - DECIMAL: I is the unscaled value, Aux the scale (at most 18 digits).
//   - REAL, DOUBLE: F.
//   - CHAR, VARCHAR: S; VARBINARY: S holds the bytes.
//   - DATE: I days since 1970-01-01; TIME: I milliseconds of the day;
//     TIMESTAMP: I milliseconds since 1970-01-01 00:00:00 (UTC, no zone).
//   - INTERVAL day-time: I milliseconds; year-month: I months; Aux the unit.
type Value struct {
	Kind Kind
	Aux  int8
	I    int64
	F    float64
	S    string
}

// NullValue is the untyped NULL.
var NullValue = Value{}

// Constructors.
func Bool(b bool) Value {
	if b {
		return Value{Kind: Boolean, I: 1}
	}
	return Value{Kind: Boolean}
}
func Int(v int64) Value           { return Value{Kind: Integer, I: v} }
func BigIntValue(v int64) Value   { return Value{Kind: BigInt, I: v} }
func DoubleValue(v float64) Value { return Value{Kind: Double, F: v} }
func RealValue(v float64) Value   { return Value{Kind: Real, F: float64(float32(v))} }
func Str(s string) Value          { return Value{Kind: Varchar, S: s} }
func DecimalValue(unscaled int64, scale int8) Value {
	return Value{Kind: Decimal, I: unscaled, Aux: scale}
}
func TimestampValue(t time.Time) Value { return Value{Kind: Timestamp, I: t.UnixMilli()} }
func TimestampMillis(ms int64) Value   { return Value{Kind: Timestamp, I: ms} }

// IsNull reports whether v is NULL (of any type).
func (v Value) IsNull() bool { return v.Kind == Null }

// Bool returns a boolean's truth.
func (v Value) Bool() bool { return v.I != 0 }

// Time returns a DATE or TIMESTAMP as a UTC time.Time.
func (v Value) Time() time.Time {
	if v.Kind == Date {
		return time.UnixMilli(v.I * 86400000).UTC()
	}
	return time.UnixMilli(v.I).UTC()
}

// Float returns a numeric value as float64.
func (v Value) Float() float64 {
	switch {
	case v.Kind == Real || v.Kind == Double:
		return v.F
	case v.Kind == Decimal:
		return float64(v.I) / math.Pow10(int(v.Aux))
	default:
		return float64(v.I)
	}
}

func (v Value) bigRat() *big.Rat {
	r := new(big.Rat).SetInt64(v.I)
	if v.Kind == Decimal && v.Aux > 0 {
		r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.Aux)), nil)))
	}
	return r
}

// String formats v as CAST(v AS VARCHAR) does; NULL prints as NULL.
func (v Value) String() string {
	switch v.Kind {
	case Null:
		return "NULL"
	case Boolean:
		if v.I != 0 {
			return "TRUE"
		}
		return "FALSE"
	case TinyInt, SmallInt, Integer, BigInt:
		return strconv.FormatInt(v.I, 10)
	case Decimal:
		return formatDecimal(v.I, int(v.Aux))
	case Real:
		return javaDouble(v.F, 32)
	case Double:
		return javaDouble(v.F, 64)
	case Char, Varchar:
		return v.S
	case Varbinary:
		return strings.ToUpper(fmt.Sprintf("%x", v.S))
	case Date:
		return v.Time().Format("2006-01-02")
	case Time:
		return formatTimeOfDay(v.I)
	case Timestamp:
		t := v.Time()
		if t.Nanosecond() != 0 {
			return t.Format("2006-01-02 15:04:05.000")
		}
		return t.Format("2006-01-02 15:04:05")
	case IntervalDayTime, IntervalYearMonth:
		return formatInterval(v)
	}
	return "?"
}

func formatTimeOfDay(ms int64) string {
	h, m, s, f := ms/3600000, ms/60000%60, ms/1000%60, ms%1000
	if f != 0 {
		return fmt.Sprintf("%02d:%02d:%02d.%03d", h, m, s, f)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
}

func formatDecimal(u int64, scale int) string {
	neg := u < 0
	var digits string
	if neg {
		digits = new(big.Int).Neg(big.NewInt(u)).String()
	} else {
		digits = strconv.FormatInt(u, 10)
	}
	if scale > 0 {
		for len(digits) <= scale {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// javaDouble formats like Java's Double.toString / Float.toString, which
// SQLstream uses for approximate numbers: 1.0, 0.001, 1.0E7, 1.234E-5.
func javaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, bits)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

func formatInterval(v Value) string {
	n := v.I
	sign := "+"
	if n < 0 {
		sign, n = "-", -n
	}
	if v.Kind == IntervalYearMonth {
		switch v.Aux {
		case UnitYear:
			return fmt.Sprintf("%s%d", sign, n/12)
		default:
			return fmt.Sprintf("%s%d-%02d", sign, n/12, n%12)
		}
	}
	d, h, m, s, ms := n/86400000, n/3600000%24, n/60000%60, n/1000%60, n%1000
	switch v.Aux {
	case UnitDay:
		return fmt.Sprintf("%s%d", sign, d)
	case UnitHour:
		return fmt.Sprintf("%s%d %02d", sign, d, h)
	case UnitMinute:
		return fmt.Sprintf("%s%d %02d:%02d", sign, d, h, m)
	}
	if ms != 0 {
		return fmt.Sprintf("%s%d %02d:%02d:%02d.%03d", sign, d, h, m, s, ms)
	}
	return fmt.Sprintf("%s%d %02d:%02d:%02d", sign, d, h, m, s)
}

// Type is a static SQL type: a kind plus its length, precision and scale
// (VARCHAR(n), DECIMAL(p,s)) or, for intervals, its unit.
type Type struct {
	Kind    Kind
	Len     int // CHAR/VARCHAR/VARBINARY length, DECIMAL precision; 0 when unbounded
	Scale   int // DECIMAL scale
	Unit    int8
	NotNull bool
}

func (t Type) String() string {
	switch t.Kind {
	case Char, Varchar, Varbinary:
		if t.Len > 0 {
			return fmt.Sprintf("%s(%d)", t.Kind, t.Len)
		}
	case Decimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Len, t.Scale)
	}
	return t.Kind.String()
}

// TypeOf converts a parser data type (CREATE STREAM column, CAST target).
func TypeOf(name string, args []int) (Type, error) {
	arg := func(i, def int) int {
		if i < len(args) {
			return args[i]
		}
		return def
	}
	switch name {
	case "BOOLEAN":
		return Type{Kind: Boolean}, nil
	case "TINYINT":
		return Type{Kind: TinyInt}, nil
	case "SMALLINT":
		return Type{Kind: SmallInt}, nil
	case "INTEGER":
		return Type{Kind: Integer}, nil
	case "BIGINT":
		return Type{Kind: BigInt}, nil
	case "DECIMAL", "NUMERIC":
		p, s := arg(0, 18), arg(1, 0)
		if p > 18 || s > p {
			return Type{}, fmt.Errorf("DECIMAL(%d,%d) is not supported (precision at most 18, scale at most precision)", p, s)
		}
		return Type{Kind: Decimal, Len: p, Scale: s}, nil
	case "REAL":
		return Type{Kind: Real}, nil
	case "DOUBLE", "FLOAT":
		return Type{Kind: Double}, nil
	case "CHAR":
		return Type{Kind: Char, Len: arg(0, 1)}, nil
	case "VARCHAR":
		return Type{Kind: Varchar, Len: arg(0, 0)}, nil
	case "VARBINARY", "BINARY":
		return Type{Kind: Varbinary, Len: arg(0, 0)}, nil
	case "DATE":
		return Type{Kind: Date}, nil
	case "TIME":
		return Type{Kind: Time}, nil
	case "TIMESTAMP":
		return Type{Kind: Timestamp}, nil
	}
	return Type{}, fmt.Errorf("unknown data type %s", name)
}

// intRange is the range of each integer kind.
func intRange(k Kind) (int64, int64) {
	switch k {
	case TinyInt:
		return math.MinInt8, math.MaxInt8
	case SmallInt:
		return math.MinInt16, math.MaxInt16
	case Integer:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// Compare orders two non-NULL values of comparable types: -1, 0 or 1.
// Numbers compare by value across kinds; CHAR values ignore trailing
// blanks (PAD SPACE); datetimes and intervals of the same kind by instant.
func Compare(a, b Value) (int, error) {
	switch {
	case a.Kind.IsNumeric() && b.Kind.IsNumeric():
		if a.Kind.IsInteger() && b.Kind.IsInteger() {
			return cmp64(a.I, b.I), nil
		}
		if a.Kind == Real || a.Kind == Double || b.Kind == Real || b.Kind == Double {
			x, y := a.Float(), b.Float()
			switch {
			case x < y:
				return -1, nil
			case x > y:
				return 1, nil
			}
			return 0, nil
		}
		if c, ok := decCompareFast(a, b); ok {
			return c, nil
		}
		return a.bigRat().Cmp(b.bigRat()), nil
	case a.Kind.IsString() && b.Kind.IsString():
		x, y := a.S, b.S
		if a.Kind == Char || b.Kind == Char {
			x, y = strings.TrimRight(x, " "), strings.TrimRight(y, " ")
		}
		return strings.Compare(x, y), nil
	case a.Kind == b.Kind:
		switch a.Kind {
		case Boolean, Date, Time, Timestamp, IntervalDayTime, IntervalYearMonth:
			return cmp64(a.I, b.I), nil
		case Varbinary:
			return strings.Compare(a.S, b.S), nil
		}
	case a.Kind == Date && b.Kind == Timestamp:
		return cmp64(a.I*86400000, b.I), nil
	case a.Kind == Timestamp && b.Kind == Date:
		return cmp64(a.I, b.I*86400000), nil
	}
	return 0, fmt.Errorf("cannot compare %s with %s", a.Kind, b.Kind)
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

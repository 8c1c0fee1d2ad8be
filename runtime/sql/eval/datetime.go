package eval

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/parser"
)

const msPerDay = 86400000

// parseDatetime reads the text of a DATE, TIME or TIMESTAMP literal (or a
// string cast to one): yyyy-MM-dd, HH:mm:ss[.fff], yyyy-MM-dd HH:mm:ss[.fff]
// (a 'T' between date and time is accepted too).
func parseDatetime(kind, s string) (Value, error) {
	s = strings.TrimSpace(s)
	switch kind {
	case "DATE":
		d, err := parseDate(s)
		if err != nil {
			return NullValue, err
		}
		return Value{Kind: Date, I: d}, nil
	case "TIME":
		t, err := parseTimeOfDay(s)
		if err != nil {
			return NullValue, err
		}
		return Value{Kind: Time, I: t}, nil
	}
	ds, ts, _ := strings.Cut(s, " ")
	if ts == "" {
		ds, ts, _ = strings.Cut(s, "T")
	}
	d, err := parseDate(ds)
	if err != nil {
		return NullValue, fmt.Errorf("invalid TIMESTAMP '%s'", s)
	}
	var t int64
	if ts != "" {
		if t, err = parseTimeOfDay(strings.TrimSpace(ts)); err != nil {
			return NullValue, fmt.Errorf("invalid TIMESTAMP '%s'", s)
		}
	}
	return Value{Kind: Timestamp, I: d*msPerDay + t}, nil
}

func parseDate(s string) (int64, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, fmt.Errorf("invalid DATE '%s'", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || p == "" || p[0] == '+' || p[0] == '-' {
			return 0, fmt.Errorf("invalid DATE '%s'", s)
		}
		n[i] = v
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > daysIn(n[0], time.Month(n[1])) {
		return 0, fmt.Errorf("invalid DATE '%s'", s)
	}
	return time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC).Unix() / 86400, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func parseTimeOfDay(s string) (int64, error) {
	main, frac, hasFrac := strings.Cut(s, ".")
	parts := strings.Split(main, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("invalid TIME '%s'", s)
	}
	var n [3]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || p == "" || p[0] == '+' || p[0] == '-' {
			return 0, fmt.Errorf("invalid TIME '%s'", s)
		}
		n[i] = v
	}
	if n[0] > 23 || n[1] > 59 || n[2] > 59 {
		return 0, fmt.Errorf("invalid TIME '%s'", s)
	}
	ms := n[0]*3600000 + n[1]*60000 + n[2]*1000
	if hasFrac {
		if frac == "" || strings.Trim(frac, "0123456789") != "" {
			return 0, fmt.Errorf("invalid TIME '%s'", s)
		}
		frac = (frac + "000")[:3]
		f, _ := strconv.ParseInt(frac, 10, 64)
		ms += f
	}
	return ms, nil
}

// parseInterval reads an interval literal's text under its qualifier:
// '5' DAY, '1 02:03' DAY TO MINUTE, '2-6' YEAR TO MONTH, '1.5' SECOND.
func parseInterval(s string, q parser.IntervalQualifier) (Value, error) {
	bad := func() (Value, error) {
		end := ""
		if q.End != "" {
			end = " TO " + q.End
		}
		return NullValue, fmt.Errorf("invalid interval '%s' for %s%s", s, q.Start, end)
	}
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	end := q.End
	if end == "" {
		end = q.Start
	}
	units := []string{"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"}
	si, ei := int(unitCodes[q.Start]), int(unitCodes[end])
	// Split into fields on the separators of the SQL interval format.
	var fields []string
	cur := ""
	for _, r := range s {
		if r == ' ' || r == ':' || r == '-' {
			fields = append(fields, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	fields = append(fields, cur)
	if len(fields) != ei-si+1 {
		return bad()
	}
	var total int64
	ym := si <= int(UnitMonth)
	for i, f := range fields {
		u := units[si+i]
		if f == "" {
			return bad()
		}
		if u == "SECOND" && strings.Contains(f, ".") {
			w, fr, _ := strings.Cut(f, ".")
			sec, err1 := strconv.ParseInt(w, 10, 64)
			fr = (fr + "000")[:3]
			ms, err2 := strconv.ParseInt(fr, 10, 64)
			if err1 != nil || err2 != nil || ms < 0 {
				return bad()
			}
			total += sec*1000 + ms
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil || v < 0 || v > 1e12 {
			return bad()
		}
		switch u {
		case "YEAR":
			total += v * 12
		case "MONTH":
			if i > 0 && v > 11 {
				return bad()
			}
			total += v
		default:
			if i > 0 && ((u == "HOUR" && v > 23) || (u != "HOUR" && v > 59)) {
				return bad()
			}
			total += v * unitMillis[unitCodes[u]]
		}
	}
	if neg {
		total = -total
	}
	k := IntervalDayTime
	if ym {
		k = IntervalYearMonth
	}
	return Value{Kind: k, Aux: int8(ei), I: total}, nil
}

// addInterval adds (or subtracts) an interval to a datetime.
func addInterval(d, iv Value, sub bool) (Value, error) {
	n := iv.I
	if sub {
		n = -n
	}
	if iv.Kind == IntervalYearMonth {
		switch d.Kind {
		case Time:
			return d, nil
		case Date, Timestamp:
			t := d.Time()
			y, m, day := t.Date()
			total := int64(y)*12 + int64(m-1) + n
			ny, nm := int(total/12), time.Month(total%12+1)
			if total%12 < 0 {
				ny, nm = int(total/12)-1, time.Month(total%12+13)
			}
			day = min(day, daysIn(ny, nm))
			nt := time.Date(ny, nm, day, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
			if d.Kind == Date {
				return Value{Kind: Date, I: nt.Unix() / 86400}, nil
			}
			return TimestampMillis(nt.UnixMilli()), nil
		}
	}
	switch d.Kind {
	case Date:
		return Value{Kind: Date, I: floorDiv(d.I*msPerDay+n, msPerDay)}, nil
	case Time:
		return Value{Kind: Time, I: floorMod(d.I+n, msPerDay)}, nil
	}
	s, ok := add64(d.I, n)
	if !ok {
		return NullValue, fmt.Errorf("%w: TIMESTAMP arithmetic", ErrOverflow)
	}
	return TimestampMillis(s), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// toMillis converts a datetime to milliseconds since the epoch.
func toMillis(v Value) int64 {
	if v.Kind == Date {
		return v.I * msPerDay
	}
	return v.I
}

// intervalCast is (a - b) qualifier: the difference of two datetimes as an
// interval of the qualifier's unit, or any interval re-qualified.
func (c *compiler) intervalCast(n *parser.IntervalCast) (expr, error) {
	ym := unitCodes[n.Qualifier.Start] <= UnitMonth
	end := n.Qualifier.End
	if end == "" {
		end = n.Qualifier.Start
	}
	unit := unitCodes[end]
	t := Type{Kind: IntervalDayTime, Unit: unit}
	if ym {
		t.Kind = IntervalYearMonth
	}
	if b, ok := n.X.(*parser.Binary); ok && b.Op == "-" {
		l, err := c.compile(b.L)
		if err != nil {
			return expr{}, err
		}
		r, err := c.compile(b.R)
		if err != nil {
			return expr{}, err
		}
		if l.t.Kind.IsDatetime() && r.t.Kind.IsDatetime() {
			if (l.t.Kind == Time) != (r.t.Kind == Time) {
				return expr{}, errAt(n, "cannot subtract %s from %s", r.t, l.t)
			}
			return binaryNull(l, r, t, func(a, b Value) (Value, error) {
				if ym {
					ta, tb := a.Time(), b.Time()
					if a.Kind == Time {
						return Value{Kind: IntervalYearMonth, Aux: unit}, nil
					}
					months := int64(ta.Year()-tb.Year())*12 + int64(ta.Month()-tb.Month())
					// Count whole months only.
					if months > 0 && ta.AddDate(0, -int(months), 0).Before(tb) {
						months--
					} else if months < 0 && ta.AddDate(0, -int(months), 0).After(tb) {
						months++
					}
					if unit == UnitYear {
						months -= months % 12
					}
					return Value{Kind: IntervalYearMonth, Aux: unit, I: months}, nil
				}
				d := toMillis(a) - toMillis(b)
				// Truncate to the qualifier's least significant unit.
				if u := unitMillis[unit]; u > 1000 {
					d -= d % u
				}
				return Value{Kind: IntervalDayTime, Aux: unit, I: d}, nil
			}), nil
		}
	}
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	if x.t.Kind != t.Kind {
		return expr{}, errAt(n, "cannot qualify %s as an interval of %s", x.t, n.Qualifier.Start)
	}
	return expr{t: t, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil || v.IsNull() {
			return v, err
		}
		v.Aux = unit
		return v, nil
	}}, nil
}

// truncUnit truncates a timestamp (ms) to a unit; ceil rounds up instead
// when the value is not already on a boundary.
func truncUnit(ms int64, unit string, ceil bool) (int64, error) {
	var step int64
	switch unit {
	case "SECOND":
		step = 1000
	case "MINUTE":
		step = 60000
	case "HOUR":
		step = 3600000
	case "DAY":
		step = msPerDay
	case "MILLISECOND":
		return ms, nil
	}
	if step != 0 {
		f := floorDiv(ms, step) * step
		if ceil && f != ms {
			f += step
		}
		return f, nil
	}
	t := time.UnixMilli(ms).UTC()
	y, m := t.Year(), t.Month()
	var f time.Time
	var next func(time.Time) time.Time
	switch unit {
	case "MONTH":
		f = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case "QUARTER":
		f = time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, 3, 0) }
	case "YEAR":
		f = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	case "DECADE":
		f = time.Date(y-floorModInt(y, 10), 1, 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(10, 0, 0) }
	case "CENTURY":
		f = time.Date(y-floorModInt(y-1, 100), 1, 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(100, 0, 0) }
	case "MILLENNIUM":
		f = time.Date(y-floorModInt(y-1, 1000), 1, 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(1000, 0, 0) }
	case "WEEK":
		// Weeks start on Sunday, as java.util.Calendar's US default does.
		d := time.Date(y, m, t.Day(), 0, 0, 0, 0, time.UTC)
		f = d.AddDate(0, 0, -int(d.Weekday()))
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	default:
		return 0, fmt.Errorf("FLOOR/CEIL to %s is not supported", unit)
	}
	r := f.UnixMilli()
	if ceil && r != ms {
		r = next(f).UnixMilli()
	}
	return r, nil
}

func floorModInt(a, b int) int { return int(floorMod(int64(a), int64(b))) }

func (c *compiler) floorCeilTo(n *parser.FloorCeil) (expr, error) {
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	if x.t.Kind == IntervalDayTime {
		// FLOOR/CEIL of a day-time interval to a unit: AWS's tumbling
		// idiom FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND).
		step, ok := map[string]int64{"SECOND": 1000, "MINUTE": 60000, "HOUR": 3600000, "DAY": msPerDay, "MILLISECOND": 1}[n.Unit]
		if !ok {
			return expr{}, errAt(n, "%s of an interval TO %s is not supported", n.Func, n.Unit)
		}
		ceil := n.Func != "FLOOR"
		return expr{t: x.t, eval: func(r Row) (Value, error) {
			v, err := x.eval(r)
			if err != nil || v.IsNull() {
				return v, err
			}
			f := floorDiv(v.I, step) * step
			if ceil && f != v.I {
				f += step
			}
			v.I = f
			return v, nil
		}}, nil
	}
	if !x.t.Kind.IsDatetime() && x.t.Kind != Null {
		return expr{}, errAt(n, "%s(x TO %s) needs a DATE, TIME, TIMESTAMP or day-time INTERVAL, not %s", n.Func, n.Unit, x.t)
	}
	if _, err := truncUnit(0, n.Unit, false); err != nil {
		return expr{}, errAt(n, "%v", err)
	}
	ceil := n.Func != "FLOOR"
	unit := n.Unit
	return expr{t: x.t, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil || v.IsNull() {
			return v, err
		}
		ms, err := truncUnit(toMillis(v), unit, ceil)
		if err != nil {
			return NullValue, errAt(n, "%v", err)
		}
		switch v.Kind {
		case Date:
			v.I = floorDiv(ms, msPerDay)
		case Time:
			v.I = floorMod(ms, msPerDay)
		default:
			v.I = ms
		}
		return v, nil
	}}, nil
}

// step is STEP(x BY interval) on datetimes and STEP(n BY m) on numbers: x
// rounded down to a multiple of the step, counted from the epoch.
func (c *compiler) step(n *parser.StepExpr) (expr, error) {
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	by, err := c.compile(n.By)
	if err != nil {
		return expr{}, err
	}
	switch {
	case x.t.Kind.IsDatetime() || x.t.Kind == Null && by.t.Kind.IsInterval():
		if !by.t.Kind.IsInterval() || (x.t.Kind == Time && by.t.Kind == IntervalYearMonth) {
			return expr{}, errAt(n, "STEP on %s needs an INTERVAL, not %s", x.t, by.t)
		}
		return binaryNull(x, by, x.t, func(v, s Value) (Value, error) {
			if s.I <= 0 {
				return NullValue, errAt(n, "STEP interval must be positive")
			}
			if s.Kind == IntervalYearMonth {
				// Months since 1970-01, rounded down to the step.
				t := v.Time()
				months := int64(t.Year()-1970)*12 + int64(t.Month()-1)
				months = floorDiv(months, s.I) * s.I
				start := Value{Kind: Timestamp}
				if v.Kind == Date {
					start.Kind = Date
				}
				return addInterval(start, Value{Kind: IntervalYearMonth, I: months}, false)
			}
			ms := floorDiv(toMillis(v), s.I) * s.I
			switch v.Kind {
			case Date:
				v.I = floorDiv(ms, msPerDay)
			default:
				v.I = ms
			}
			return v, nil
		}), nil
	case (x.t.Kind.IsNumeric() || x.t.Kind == Null) && by.t.Kind.IsNumeric():
		k := numericResult(x.t.Kind, by.t.Kind)
		t := Type{Kind: k}
		if k == Decimal {
			t.Len, t.Scale = 18, max(scaleOf(x.t), scaleOf(by.t))
		}
		return binaryNull(x, by, t, func(v, s Value) (Value, error) {
			if s.Float() <= 0 {
				return NullValue, errAt(n, "STEP must be positive")
			}
			switch k {
			case Real, Double:
				f := math.Floor(v.Float()/s.Float()) * s.Float()
				if k == Real {
					return RealValue(f), nil
				}
				return DoubleValue(f), nil
			case Decimal:
				q := v.bigRat()
				q.Quo(q, s.bigRat())
				fl := ratFloor(q)
				fl.Mul(fl, s.bigRat())
				return ratToDecimal(fl, t.Scale)
			}
			return Value{Kind: k, I: floorDiv(v.I, s.I) * s.I}, nil
		}), nil
	}
	return expr{}, errAt(n, "STEP needs a datetime BY an interval or a number BY a number, not %s BY %s", x.t, by.t)
}

func (c *compiler) extract(n *parser.ExtractExpr) (expr, error) {
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	k := x.t.Kind
	if !k.IsDatetime() && !k.IsInterval() && k != Null {
		return expr{}, errAt(n, "EXTRACT needs a datetime or interval, not %s", x.t)
	}
	unit := n.Unit
	switch unit {
	case "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "QUARTER", "WEEK", "DOW", "DOY",
		"EPOCH", "MILLISECOND", "MICROSECOND", "DECADE", "CENTURY", "MILLENNIUM":
	default:
		return expr{}, errAt(n, "EXTRACT(%s) is not supported", unit)
	}
	// The reference: BIGINT for every field but SECOND, which is
	// DECIMAL(5,3) with the milliseconds.
	t := Type{Kind: BigInt}
	if unit == "SECOND" {
		t = Type{Kind: Decimal, Len: 5, Scale: 3}
	}
	return expr{t: t, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil || v.IsNull() {
			return NullValue, err
		}
		if unit == "SECOND" {
			ms, err := extractField("MILLISECOND", v)
			if err != nil {
				return NullValue, errAt(n, "%v", err)
			}
			return DecimalValue(ms, 3), nil
		}
		out, err := extractField(unit, v)
		if err != nil {
			return NullValue, errAt(n, "%v", err)
		}
		return BigIntValue(out), nil
	}}, nil
}

func extractField(unit string, v Value) (int64, error) {
	switch v.Kind {
	case IntervalYearMonth:
		switch unit {
		case "YEAR":
			return v.I / 12, nil
		case "MONTH":
			return v.I % 12, nil
		}
		return 0, fmt.Errorf("cannot EXTRACT %s from a year-month interval", unit)
	case IntervalDayTime:
		switch unit {
		case "DAY":
			return v.I / msPerDay, nil
		case "HOUR":
			return v.I / 3600000 % 24, nil
		case "MINUTE":
			return v.I / 60000 % 60, nil
		case "SECOND":
			return v.I / 1000 % 60, nil
		case "MILLISECOND":
			return v.I % 60000, nil // seconds and milliseconds within the minute
		case "EPOCH":
			return v.I / 1000, nil
		}
		return 0, fmt.Errorf("cannot EXTRACT %s from a day-time interval", unit)
	}
	ms := toMillis(v)
	t := time.UnixMilli(ms).UTC()
	if v.Kind == Time {
		switch unit {
		case "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND", "EPOCH":
		default:
			return 0, fmt.Errorf("cannot EXTRACT %s from a TIME", unit)
		}
	}
	if v.Kind == Date {
		switch unit {
		case "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND":
			return 0, fmt.Errorf("cannot EXTRACT %s from a DATE", unit)
		}
	}
	switch unit {
	case "YEAR":
		return int64(t.Year()), nil
	case "MONTH":
		return int64(t.Month()), nil
	case "DAY":
		return int64(t.Day()), nil
	case "HOUR":
		return int64(t.Hour()), nil
	case "MINUTE":
		return int64(t.Minute()), nil
	case "SECOND":
		return int64(t.Second()), nil
	case "MILLISECOND":
		return int64(t.Second())*1000 + floorMod(ms, 1000), nil
	case "MICROSECOND":
		return (int64(t.Second())*1000 + floorMod(ms, 1000)) * 1000, nil
	case "QUARTER":
		return int64(t.Month()-1)/3 + 1, nil
	case "WEEK":
		_, w := t.ISOWeek()
		return int64(w), nil
	case "DOW":
		return int64(t.Weekday()) + 1, nil // Sunday = 1, as Calcite
	case "DOY":
		return int64(t.YearDay()), nil
	case "EPOCH":
		return floorDiv(ms, 1000), nil
	case "DECADE":
		return int64(t.Year()) / 10, nil
	case "CENTURY":
		return (int64(t.Year()) + 99) / 100, nil
	case "MILLENNIUM":
		return (int64(t.Year()) + 999) / 1000, nil
	}
	return 0, fmt.Errorf("EXTRACT(%s) is not supported", unit)
}

func (c *compiler) niladic(n *parser.Niladic) (expr, error) {
	s := c.scope
	clock := s.Clock
	if clock == nil {
		start := time.Now()
		clock = func() time.Time { return start }
	}
	if n.Name == "CURRENT_ROW_TIMESTAMP" {
		clock = s.RowTime
		if clock == nil {
			clock = time.Now
		}
	}
	var t Type
	switch n.Name {
	case "CURRENT_DATE":
		t = Type{Kind: Date, NotNull: true}
	case "CURRENT_TIME", "LOCALTIME":
		t = Type{Kind: Time, NotNull: true}
	default:
		t = Type{Kind: Timestamp, NotNull: true}
	}
	return expr{t: t, eval: func(Row) (Value, error) {
		ms := clock().UnixMilli()
		switch t.Kind {
		case Date:
			return Value{Kind: Date, I: floorDiv(ms, msPerDay)}, nil
		case Time:
			return Value{Kind: Time, I: floorMod(ms, msPerDay)}, nil
		}
		return TimestampMillis(ms), nil
	}}, nil
}

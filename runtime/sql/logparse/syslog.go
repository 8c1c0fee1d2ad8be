package logparse

import (
	"fmt"
	"strings"
	"time"
)

// SysLogColumns are the columns of SYS_LOG_PARSE's row: COLUMN1 TIMESTAMP
// (the entry's time) and COLUMN2 VARCHAR(1024) (the rest: "server message").
var SysLogColumns = []Column{
	{Name: "COLUMN1", Type: Type{Name: "TIMESTAMP"}},
	{Name: "COLUMN2", Type: Varchar1024},
}

// SysLogParse is SYS_LOG_PARSE(message) for entries of the standard syslog
// form "Mon DD HH:MM:SS server message" (RFC 3164; DD may be space-padded).
// The entry carries no year: the timestamp's year is 1970, as Java's
// SimpleDateFormat leaves it (use SysLogParseYear to supply one). An entry
// that does not start with such a timestamp answers a nil row (NULL).
func SysLogParse(message string) (*Row, error) { return SysLogParseYear(message, 1970) }

// SysLogParseYear is SysLogParse with the year the timestamps fall in.
func SysLogParseYear(message string, year int) (*Row, error) {
	if len(message) < 15 {
		return nil, nil
	}
	stamp := message[:15]
	t, err := time.Parse("Jan _2 15:04:05", stamp)
	if err != nil {
		// also accept a zero-padded day ("Jan 02")
		if t, err = time.Parse("Jan 02 15:04:05", stamp); err != nil {
			return nil, nil
		}
	}
	t = time.Date(year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	rest := message[15:]
	if rest != "" && rest[0] != ' ' {
		return nil, nil
	}
	rest = strings.TrimPrefix(rest, " ")
	v, err := convert(rest, true, SysLogColumns[1])
	if err != nil {
		return nil, fmt.Errorf("logparse: SYS_LOG_PARSE: %w", err)
	}
	return &Row{Columns: SysLogColumns, Values: []any{t, v}}, nil
}

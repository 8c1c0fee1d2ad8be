// Package datefmt implements java.text.SimpleDateFormat patterns, the
// date template language of the SQL functions CHAR_TO_TIMESTAMP,
// TIMESTAMP_TO_CHAR and friends and of the log parsers' DATE, TIME and
// TIMESTAMP column formats.
//
// Pattern letters: G y Y M L d D E u a H k K h m s S F w W z Z X; 'text'
// is literal and two single quotes stand for one; other non-letters are
// literal; any other letter is an error. Times are UTC: formatting writes the zone as
// UTC, +0000 or Z, and parsing applies a zone found in the text (z, Z and
// X each read Z, UTC, GMT, UTC/GMT followed by an offset, or an offset
// +hh, +hhmm, +hh:mm, as Java's parser accepts either form for any of
// them).
//
// Parsing is strict: an element out of its range (month 13, February 30,
// hour 24 for H) is an error, where Java's default is lenient. Fields not
// in the pattern default to 1970-01-01 00:00:00.000. A numeric field
// followed directly by another numeric field takes exactly its pattern
// width of digits; otherwise as many digits as there are. A two-digit
// year read for y or yy falls in a 100-year window: Java centres it on
// the current date, which makes results depend on when they are computed,
// so the window's first year is fixed (Options.TwoDigitYearStart, 1920 by
// default). With a PM marker, an h or K hour has 12 added, and an H or k
// hour below 12 too. By default text after the pattern is ignored, as
// java.text.DateFormat.parse(String) does; Options.Exact requires the
// whole text to be consumed.
package datefmt

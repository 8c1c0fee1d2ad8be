// Package filter implements Lambda event source mapping FilterCriteria for
// Kinesis records, as AWS documents them ("Control which events Lambda sends
// to your function" and "Using event filtering with a Kinesis event source").
//
// Compile takes the Pattern strings of a FilterCriteria (at most MaxFilters,
// each at most MaxPatternLength characters) and compiles them once, when the
// mapping's configuration loads; Filter.Match then says whether one record's
// data passes. Patterns are ORed; inside a pattern, fields are ANDed and a
// list of values is ORed.
//
// Kinesis mappings filter only on the record's data, so a pattern's top-level
// keys may only be "data" (a JSON object) and "$or". A record whose data is
// not JSON never matches a pattern that looks into data (Lambda drops it);
// the pattern "{}" inspects nothing and matches every record.
//
// Supported rule syntax: exact strings, numbers (compared on their text, as
// Lambda documents: 300, 300.0 and 3.0e2 differ), true, false, null and "";
// prefix, suffix, equals-ignore-case; anything-but with a value, a list, or
// prefix/suffix/equals-ignore-case; numeric with =, <, <=, >, >= and ranges;
// exists true/false (leaf values only: an object does not "exist"); nested
// objects; "$or" of objects. A value in an array matches when any element
// does, and a nested object pattern applied to an array of objects must match
// one element as a whole.
//
// CompileRecord compiles filters that apply to a whole event record rather
// than a Kinesis record's data (kinesin's Kinesis Video fragment events):
// a pattern's top level may name any of the record's keys, as Lambda's
// filters of SQS or DynamoDB records do, and CEL's data is the record.
//
// kinesin extension: a pattern that starts with "cel:" is a CEL expression
// over the variable data — the parsed JSON (map, list, string, int or double,
// bool, null) or bytes when the record is not JSON — returning bool. All CEL
// is compiled in Compile from one shared environment and evaluated with a
// cost limit (CELCostLimit); an evaluation error counts as no match.
//
// Match parses a record once into a pooled arena and allocates nothing for
// rule patterns; CEL patterns convert the parsed record to Go values.
package filter

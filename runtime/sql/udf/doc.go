// Package udf runs kinesin functions as SQL scalar functions: the Wasm user
// functions of streaming SQL applications,
//
//	CREATE FUNCTION "geohash"(lat DOUBLE, lon DOUBLE, len INTEGER)
//	    RETURNS VARCHAR(12) LANGUAGE WASM EXTERNAL NAME 'geohash[:qualifier]';
//
// New answers an eval.Func that invokes the function (any runtime the
// functions service runs, WebAssembly or a Lambda bootstrap) once per call,
// synchronously, as Lambda's RequestResponse Invoke does.
//
// # Calling convention
//
// The event is the JSON array of the arguments, in order; the answer is
// one JSON value. A Go function built with kinesin's sdk is an ordinary
// JSON handler, e.g.
//
//	func geohash(_ context.Context, args [3]float64) (string, error)
//	func f(_ context.Context, args []json.RawMessage) (any, error)
//
// SQL values become JSON as follows (NULL is null whatever the type):
//
//	BOOLEAN                     true, false
//	TINYINT .. BIGINT, DECIMAL  a number, exactly (DECIMAL keeps its scale: 12.50)
//	REAL, DOUBLE                a number, shortest form (1.5, 1e+21); NaN and
//	                            infinities, which JSON lacks, as the strings
//	                            "NaN", "Infinity", "-Infinity"
//	CHAR, VARCHAR               a string (CHAR with its padding)
//	VARBINARY                   a string, base64 (as JSON carries bytes)
//	DATE                        "yyyy-MM-dd"
//	TIME                        "HH:mm:ss.SSS"
//	TIMESTAMP                   "yyyy-MM-dd HH:mm:ss.SSS" (UTC), the form the
//	                            SQL reference prints and CAST reads
//	INTERVAL                    a number: milliseconds (day-time) or months
//	                            (year-month)
//
// The answer converts to the declared return type by the SQL CAST rules
// (eval.Cast):
//
//   - null is NULL;
//   - a string is CAST from VARCHAR: '12.5' to DOUBLE, '2026-01-01 10:00:00'
//     to TIMESTAMP. A TIMESTAMP also reads RFC 3339 ("2026-01-01T10:00:00Z",
//     what Go's time.Time marshals to), VARBINARY reads base64, REAL and
//     DOUBLE read "NaN", "Infinity" and "-Infinity";
//   - a number is CAST from its literal text, so DECIMAL stays exact and
//     INTEGER rounds 2.5 to 3; to a CHAR or VARCHAR it is its JSON text; to
//     a TIMESTAMP it is milliseconds since the epoch (DATE and TIME take
//     that instant's day or time of day); an interval reads milliseconds
//     or months;
//   - true and false are BOOLEAN (to VARCHAR: 'TRUE', 'FALSE');
//   - an object or array is its JSON text for CHAR and VARCHAR, and does
//     not convert to any other type.
//
// An answer that does not convert is an error of the call, as is a failure
// of the function (an error it returned, a panic, a trap, a timeout:
// FunctionError) or of the platform (throttling, the function missing or
// not Active); the engine turns it into an error_stream row.
//
// # Performance
//
// The event is written into a pooled buffer without reflection and the
// answer read without encoding/json unless it is a string with escapes or
// an error document. The function is resolved (its configuration read
// from JetStream KV) at most once a second, not per call, so an update of
// its code or configuration takes effect within a second.
package udf

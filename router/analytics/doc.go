// Package analytics serves Amazon Kinesis Data Analytics for SQL
// applications — the KinesisAnalytics_20150814 API (JSON 1.1, X-Amz-Target
// prefix KinesisAnalytics_20150814) — on the HTTP tier, so that
// `aws kinesisanalytics …` and the SDKs work unchanged, and runs the
// applications with runtime/sql/host.
//
// Applications live in the JetStream KV bucket kinesin_analytics, one key
// per application, changed only by compare-and-set. Every process watches
// the bucket: it runs each application that is RUNNING (host.Run holds the
// application's lease, so one process of a deployment actually runs it)
// and carries out the status transitions AWS has:
//
//	READY → STARTING → RUNNING → STOPPING → READY
//	RUNNING → UPDATING → RUNNING   (a configuration change of a running application)
//	any → DELETING → (gone)
//
// StartApplication writes STARTING with a new RunID; the processes start
// their runs and one of them moves the application to RUNNING. A change
// while RUNNING bumps the version and goes UPDATING; the runs restart on
// the new configuration with the same RunID, so the host resumes from the
// checkpoint. StopApplication writes STOPPING; each process cancels its
// run (the host flushes and checkpoints as it returns) and one moves the
// application to READY. DELETING stops the runs, removes the checkpoints
// (host.Delete) and then the key.
//
// What the API checks, as AWS documents it: the model's constraints
// (ValidationException in AWS's wording), one streaming source, one
// reference data source and three outputs per application, at most 50
// applications and 50 tags, the version a change is made against
// (ConcurrentModificationException), CreateTimestamp on delete, and the
// application code, compiled with runtime/sql/engine against the inputs
// and references (CodeValidationException carrying the compiler's
// "line:col: message"). Code is compiled once the application has its
// streaming source (CreateApplication, UpdateApplication,
// AddApplicationInput), only parsed before; StartApplication compiles it
// again and checks that every output names a stream the code creates
// (InvalidApplicationConfigurationException).
//
// Ids are assigned as "<version>.<n>": the application version that added
// the input, output, reference data source or logging option, and its
// place among those added then ("1.1" for the first input given to
// CreateApplication). An input's in-application streams are
// NamePrefix_001 … NamePrefix_<InputParallelism>.
//
// DiscoverInputSchema samples up to 100 records of a kinesin stream — the
// oldest (TRIM_HORIZON) or the newest (NOW, LAST_STOPPED_POINT) — or reads
// an S3 object through the object store, optionally runs them through the
// input processing function, and infers the schema with
// runtime/sql/discover. Error messages not documented by AWS are
// kinesin's wording.
package analytics

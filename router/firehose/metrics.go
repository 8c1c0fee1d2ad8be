package firehose

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kinesin/kinesin/sinks/delivery"
)

// Metrics are the per-delivery-stream metrics, named after Firehose's
// CloudWatch metrics with dots as underscores (DeliveryToS3.Records is
// firehose_DeliveryToS3_Records). The delivery metrics carry the
// destination's CloudWatch name in their own name: S3, HttpEndpoint,
// AmazonOpenSearchService, Elasticsearch, Splunk, Redshift, KinesisStream.
type Metrics struct {
	IncomingRecords *prometheus.CounterVec
	IncomingBytes   *prometheus.CounterVec
	// Records and Bytes delivered, per destination kind.
	Records *prometheus.CounterVec
	Bytes   *prometheus.CounterVec
	// Success counts deliveries (objects, requests) per outcome; the ratio
	// of true to all is CloudWatch's DeliveryTo<kind>.Success.
	Success *prometheus.CounterVec
	// DataFreshness is the age of the oldest record of the last delivery
	// (DeliveryTo<kind>.DataFreshness), in seconds.
	DataFreshness *prometheus.GaugeVec
	// FailedRecords counts records given up on (sent to the error output).
	FailedRecords *prometheus.CounterVec
	// ExecuteProcessing: records through processing by outcome and the
	// time spent.
	ProcessingRecords  *prometheus.CounterVec
	ProcessingDuration *prometheus.CounterVec
	// PartitionCount is the number of active dynamic partitions;
	// ConversionRecords counts records through format conversion by
	// outcome (SucceedConversion.Records, FailedConversion.Records).
	PartitionCount    *prometheus.GaugeVec
	ConversionRecords *prometheus.CounterVec
}

// NewMetrics builds the metrics and registers them on reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, append([]string{"delivery_stream"}, labels...))
	}
	m := &Metrics{
		IncomingRecords:    vec("firehose_IncomingRecords", "Records accepted by PutRecord and PutRecordBatch or read from the source stream."),
		IncomingBytes:      vec("firehose_IncomingBytes", "Bytes of the incoming records."),
		Records:            vec("firehose_DeliveryTo_Records", "Records delivered (DeliveryTo<destination>.Records).", "destination"),
		Bytes:              vec("firehose_DeliveryTo_Bytes", "Bytes (before compression) delivered (DeliveryTo<destination>.Bytes).", "destination"),
		Success:            vec("firehose_DeliveryTo_Success", "Deliveries (objects, requests), by outcome (DeliveryTo<destination>.Success).", "destination", "success"),
		FailedRecords:      vec("firehose_DeliveryTo_FailedRecords", "Records given up on and written to the error output.", "destination"),
		ProcessingRecords:  vec("firehose_ExecuteProcessing_Records", "Records through record processing, by result (Ok, Dropped, ProcessingFailed).", "result"),
		ProcessingDuration: vec("firehose_ExecuteProcessing_Duration_seconds", "Time spent in record processing."),
		ConversionRecords:  vec("firehose_Conversion_Records", "Records through record format conversion, by outcome (SucceedConversion.Records, FailedConversion.Records).", "outcome"),
		PartitionCount: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "firehose_PartitionCount",
			Help: "Active dynamic partitions (buffers being filled)."}, []string{"delivery_stream"}),
		DataFreshness: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "firehose_DeliveryTo_DataFreshness_seconds",
			Help: "Age of the oldest record of the last delivery (DeliveryTo<destination>.DataFreshness)."}, []string{"delivery_stream", "destination"}),
	}
	if reg != nil {
		reg.MustRegister(m.IncomingRecords, m.IncomingBytes, m.Records, m.Bytes, m.Success, m.FailedRecords,
			m.ProcessingRecords, m.ProcessingDuration, m.DataFreshness, m.PartitionCount, m.ConversionRecords)
	}
	return m
}

func (m *Metrics) delivered(stream, kind string, st delivery.Stats) {
	m.Success.WithLabelValues(stream, kind, "true").Inc()
	m.Records.WithLabelValues(stream, kind).Add(float64(st.Records))
	m.Bytes.WithLabelValues(stream, kind).Add(float64(st.Bytes))
	if st.Failed > 0 {
		m.FailedRecords.WithLabelValues(stream, kind).Add(float64(st.Failed))
	}
	if !st.Oldest.IsZero() {
		m.DataFreshness.WithLabelValues(stream, kind).Set(time.Since(st.Oldest).Seconds())
	}
}

func (m *Metrics) processed(stream string, ok, failed, dropped int, d time.Duration) {
	m.ProcessingRecords.WithLabelValues(stream, "Ok").Add(float64(ok))
	m.ProcessingRecords.WithLabelValues(stream, "ProcessingFailed").Add(float64(failed))
	m.ProcessingRecords.WithLabelValues(stream, "Dropped").Add(float64(dropped))
	m.ProcessingDuration.WithLabelValues(stream).Add(d.Seconds())
}

func (m *Metrics) incoming(stream string, records [][]byte) {
	n := 0
	for _, r := range records {
		n += len(r)
	}
	m.IncomingRecords.WithLabelValues(stream).Add(float64(len(records)))
	m.IncomingBytes.WithLabelValues(stream).Add(float64(n))
}

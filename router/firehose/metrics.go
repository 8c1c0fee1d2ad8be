package firehose

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the per-delivery-stream counters, named after Firehose's
// CloudWatch metrics.
type Metrics struct {
	IncomingRecords *prometheus.CounterVec
	IncomingBytes   *prometheus.CounterVec
	S3Records       *prometheus.CounterVec
	S3Bytes         *prometheus.CounterVec
	// S3Success counts objects written (success="true") and failed
	// writes (success="false"); their ratio is CloudWatch's
	// DeliveryToS3.Success.
	S3Success *prometheus.CounterVec
}

// NewMetrics builds the metrics and registers them on reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, append([]string{"delivery_stream"}, labels...))
	}
	m := &Metrics{
		IncomingRecords: vec("firehose_IncomingRecords", "Records accepted by PutRecord and PutRecordBatch."),
		IncomingBytes:   vec("firehose_IncomingBytes", "Bytes of the records accepted by PutRecord and PutRecordBatch."),
		S3Records:       vec("firehose_DeliveryToS3_Records", "Records delivered to S3."),
		S3Bytes:         vec("firehose_DeliveryToS3_Bytes", "Bytes (before compression) delivered to S3."),
		S3Success:       vec("firehose_DeliveryToS3_Success", "S3 object writes, by outcome.", "success"),
	}
	if reg != nil {
		reg.MustRegister(m.IncomingRecords, m.IncomingBytes, m.S3Records, m.S3Bytes, m.S3Success)
	}
	return m
}

func (m *Metrics) delivered(stream string, records, bytes int, ok bool) {
	if !ok {
		m.S3Success.WithLabelValues(stream, "false").Inc()
		return
	}
	m.S3Success.WithLabelValues(stream, "true").Inc()
	m.S3Records.WithLabelValues(stream).Add(float64(records))
	m.S3Bytes.WithLabelValues(stream).Add(float64(bytes))
}

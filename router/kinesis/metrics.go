package kinesis

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kinesin/kinesin/router/shardstore"
)

// Metrics are the stream and shard metrics, named as CloudWatch names them
// (IncomingRecords, GetRecords.Records with the dot as an underscore, …)
// under the kinesis_ prefix, labelled by stream and shard.
type Metrics struct {
	incomingRecords, incomingBytes *prometheus.CounterVec
	getRecords, getBytes           *prometheus.CounterVec
	iteratorAge                    *prometheus.GaugeVec
	writeExceeded, readExceeded    *prometheus.CounterVec
	failedRecords                  *prometheus.CounterVec
}

// NewMetrics registers the metrics with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	labels := []string{"stream", "shard"}
	counter := func(name, help string, l []string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "kinesis", Name: name, Help: help}, l)
	}
	m := &Metrics{
		incomingRecords: counter("IncomingRecords", "Records stored by PutRecord and PutRecords.", labels),
		incomingBytes:   counter("IncomingBytes", "Bytes (data plus partition key) stored.", labels),
		getRecords:      counter("GetRecords_Records", "Records returned by GetRecords and SubscribeToShard.", labels),
		getBytes:        counter("GetRecords_Bytes", "Bytes returned by GetRecords and SubscribeToShard.", labels),
		writeExceeded:   counter("WriteProvisionedThroughputExceeded", "Records over a provisioned shard's write limits (throttled when --shard-limits aws).", labels),
		readExceeded:    counter("ReadProvisionedThroughputExceeded", "GetRecords calls over a provisioned shard's read limits (throttled when --shard-limits aws).", labels),
		failedRecords:   counter("PutRecords_FailedRecords", "Records of PutRecords calls that failed.", []string{"stream"}),
		iteratorAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "kinesis", Name: "IteratorAgeMilliseconds",
			Help: "Age of the last record read from the shard (MillisBehindLatest of the last read)."}, labels),
	}
	if reg != nil {
		reg.MustRegister(m.incomingRecords, m.incomingBytes, m.getRecords, m.getBytes, m.writeExceeded,
			m.readExceeded, m.failedRecords, m.iteratorAge)
	}
	return m
}

func (m *Metrics) incoming(stream string, shard int, keys []string, data [][]byte) {
	n := 0
	for i, k := range keys {
		n += len(k) + len(data[i])
	}
	id := strconv.Itoa(shard)
	m.incomingRecords.WithLabelValues(stream, id).Add(float64(len(keys)))
	m.incomingBytes.WithLabelValues(stream, id).Add(float64(n))
}

func (m *Metrics) read(stream string, shard int, recs []shardstore.StoredRecord, behind int64) {
	n := 0
	for _, r := range recs {
		n += len(r.Data) + len(r.Key)
	}
	id := strconv.Itoa(shard)
	m.getRecords.WithLabelValues(stream, id).Add(float64(len(recs)))
	m.getBytes.WithLabelValues(stream, id).Add(float64(n))
	m.iteratorAge.WithLabelValues(stream, id).Set(float64(behind))
}

func (m *Metrics) putRecordsFailed(stream string, n int) {
	if n > 0 {
		m.failedRecords.WithLabelValues(stream).Add(float64(n))
	}
}

func (m *Metrics) throttledWrites(stream string, shard int, n int) {
	m.writeExceeded.WithLabelValues(stream, strconv.Itoa(shard)).Add(float64(n))
}

func (m *Metrics) throttledRead(stream string, shard int) {
	m.readExceeded.WithLabelValues(stream, strconv.Itoa(shard)).Inc()
}

// forget drops a deleted stream's series.
func (m *Metrics) forget(stream string) {
	l := prometheus.Labels{"stream": stream}
	for _, v := range []*prometheus.CounterVec{m.incomingRecords, m.incomingBytes, m.getRecords, m.getBytes, m.writeExceeded, m.readExceeded, m.failedRecords} {
		v.DeletePartialMatch(l)
	}
	m.iteratorAge.DeletePartialMatch(l)
}

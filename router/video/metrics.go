package video

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the media plane's metrics under the kinesisvideo_ prefix,
// named after the CloudWatch metrics of Kinesis Video Streams
// (PutMedia.IncomingBytes with the dot as an underscore, …) and labelled by
// stream.
type Metrics struct {
	putBytes, putFragments *prometheus.CounterVec
	putErrors              *prometheus.CounterVec
	persistLatency         *prometheus.HistogramVec
	getBytes, getFragments *prometheus.CounterVec
	sessions               *prometheus.GaugeVec
}

// NewMetrics registers the metrics with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "kinesisvideo", Name: name, Help: help}, labels)
	}
	m := &Metrics{
		putBytes:     counter("PutMedia_IncomingBytes", "Bytes of MKV received by PutMedia.", "stream"),
		putFragments: counter("PutMedia_IncomingFragments", "Fragments stored by PutMedia.", "stream"),
		putErrors:    counter("PutMedia_Errors", "PutMedia sessions ended by an ERROR acknowledgement, by ErrorId.", "stream", "error_id"),
		persistLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "kinesisvideo", Name: "PutMedia_FragmentPersistLatency_seconds",
			Help:    "Time from a fragment's first byte to its PERSISTED acknowledgement.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"stream"}),
		getBytes:     counter("GetMedia_OutgoingBytes", "Bytes of MKV written by GetMedia and GetMediaForFragmentList.", "stream"),
		getFragments: counter("GetMedia_OutgoingFragments", "Fragments written by GetMedia and GetMediaForFragmentList.", "stream"),
		sessions: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "kinesisvideo", Name: "ActiveSessions",
			Help: "PutMedia and GetMedia sessions under way."}, []string{"api"}),
	}
	if reg != nil {
		reg.MustRegister(m.putBytes, m.putFragments, m.putErrors, m.persistLatency, m.getBytes, m.getFragments, m.sessions)
	}
	return m
}

func (m *Metrics) persisted(stream string, size int64, latency time.Duration) {
	m.putFragments.WithLabelValues(stream).Inc()
	m.putBytes.WithLabelValues(stream).Add(float64(size))
	m.persistLatency.WithLabelValues(stream).Observe(latency.Seconds())
}

func (m *Metrics) putError(stream string, code int) {
	m.putErrors.WithLabelValues(stream, strconv.Itoa(code)).Inc()
}

func (m *Metrics) sent(stream string, bytes int64) {
	m.getFragments.WithLabelValues(stream).Inc()
	m.getBytes.WithLabelValues(stream).Add(float64(bytes))
}

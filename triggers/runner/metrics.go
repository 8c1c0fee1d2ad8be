package runner

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Prometheus metrics of event source mappings, named after
// Lambda's CloudWatch metrics for them, labelled by mapping UUID.
type Metrics struct {
	iterAge                                                          *prometheus.GaugeVec
	invocations, errors, throttles, retriedRecs, polled, filteredOut *prometheus.CounterVec
	droppedEvents, onFailureDelivered                                *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "lambda_esm", Name: name, Help: help}, []string{"uuid"})
	}
	m := &Metrics{
		iterAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "lambda_esm", Name: "IteratorAgeMilliseconds",
			Help: "Age of the last record of the last batch handled, per mapping and shard."}, []string{"uuid", "shard"}),
		invocations:        counter("Invocations", "Function calls made by the mapping, retries included."),
		errors:             counter("Errors", "Calls that failed: function errors and partial batch failures."),
		throttles:          counter("Throttles", "Calls refused for lack of function capacity (retried, not counted as retries)."),
		retriedRecs:        counter("RetriedEventCount", "Records sent again after a failed call."),
		polled:             counter("ProcessedEventCount", "Records the function handled successfully."),
		filteredOut:        counter("FilteredOutEventCount", "Records no filter criteria matched (skipped)."),
		droppedEvents:      counter("DroppedEventCount", "Records given up on: retries exhausted or older than the maximum record age."),
		onFailureDelivered: counter("OnFailureDestinationDeliveredEventCount", "On-failure records delivered to the destination."),
	}
	if reg != nil {
		reg.MustRegister(m.iterAge, m.invocations, m.errors, m.throttles, m.retriedRecs, m.polled, m.filteredOut,
			m.droppedEvents, m.onFailureDelivered)
	}
	return m
}

func (m *Metrics) iteratorAge(uuid, shard string, age time.Duration) {
	m.iterAge.WithLabelValues(uuid, shard).Set(float64(age.Milliseconds()))
}
func (m *Metrics) invoked(uuid string)          { m.invocations.WithLabelValues(uuid).Inc() }
func (m *Metrics) errored(uuid string)          { m.errors.WithLabelValues(uuid).Inc() }
func (m *Metrics) throttled(uuid string)        { m.throttles.WithLabelValues(uuid).Inc() }
func (m *Metrics) retried(uuid string, n int)   { m.retriedRecs.WithLabelValues(uuid).Add(float64(n)) }
func (m *Metrics) processed(uuid string, n int) { m.polled.WithLabelValues(uuid).Add(float64(n)) }
func (m *Metrics) filtered(uuid string, n int)  { m.filteredOut.WithLabelValues(uuid).Add(float64(n)) }
func (m *Metrics) dropped(uuid string, n int)   { m.droppedEvents.WithLabelValues(uuid).Add(float64(n)) }
func (m *Metrics) onFailure(uuid string)        { m.onFailureDelivered.WithLabelValues(uuid).Inc() }

// forget removes a deleted mapping's series.
func (m *Metrics) forget(uuid string) {
	m.iterAge.DeletePartialMatch(prometheus.Labels{"uuid": uuid})
	for _, c := range []*prometheus.CounterVec{m.invocations, m.errors, m.throttles, m.retriedRecs, m.polled, m.filteredOut, m.droppedEvents, m.onFailureDelivered} {
		c.DeleteLabelValues(uuid)
	}
}

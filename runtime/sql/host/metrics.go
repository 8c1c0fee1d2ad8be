package host

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the application metrics, named after the CloudWatch metrics
// of Kinesis Data Analytics (Records, Bytes, MillisBehindLatest,
// InputProcessing.*, LambdaDelivery.*; dots become underscores) under the
// kinesisanalytics_ prefix, labelled by application and by input (the
// input's NamePrefix) or output (the in-application stream's name). One
// Metrics serves every application of a process.
type Metrics struct {
	inputRecords, inputRows, inputBytes *prometheus.CounterVec
	outputRecords, outputBytes          *prometheus.CounterVec
	errors                              *prometheus.CounterVec
	behind                              *prometheus.GaugeVec
	checkpointAge                       *prometheus.GaugeVec
	procOk, procDropped, procFailed     *prometheus.CounterVec
	lambdaOk, lambdaFailed              *prometheus.CounterVec
}

// NewMetrics registers the metrics with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	in := []string{"application", "input"}
	out := []string{"application", "output"}
	counter := func(name, help string, l []string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "kinesisanalytics", Name: name, Help: help}, l)
	}
	gauge := func(name, help string, l []string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "kinesisanalytics", Name: name, Help: help}, l)
	}
	m := &Metrics{
		inputRecords:  counter("InputRecords", "Records read from the application's input.", in),
		inputRows:     counter("InputRows", "Rows pushed into the in-application input streams.", in),
		inputBytes:    counter("InputBytes", "Bytes of data read from the application's input.", in),
		outputRecords: counter("OutputRecords", "Records written to the output's destination.", out),
		outputBytes:   counter("OutputBytes", "Bytes written to the output's destination.", out),
		errors:        counter("Errors", "Rows written to error_stream: by the host for records that failed to parse or to preprocess (labelled with their input), by the application code (input \"\").", in),
		behind:        gauge("MillisBehindLatest", "How far behind the newest record of its input the application reads (0 when caught up).", in),
		checkpointAge: gauge("LastCheckpointAgeSeconds", "Seconds since the application's last checkpoint.", []string{"application"}),
		procOk:        counter("InputProcessing_OkRecords", "Records the input preprocessing function returned Ok.", in),
		procDropped:   counter("InputProcessing_DroppedRecords", "Records the input preprocessing function returned Dropped.", in),
		procFailed:    counter("InputProcessing_ProcessingFailedRecords", "Records the input preprocessing function returned ProcessingFailed (or left out).", in),
		lambdaOk:      counter("LambdaDelivery_OkRecords", "Records the output function returned Ok.", out),
		lambdaFailed:  counter("LambdaDelivery_DeliveryFailedRecords", "Records the output function returned DeliveryFailed (retried).", out),
	}
	if reg != nil {
		reg.MustRegister(m.inputRecords, m.inputRows, m.inputBytes, m.outputRecords, m.outputBytes, m.errors,
			m.behind, m.checkpointAge, m.procOk, m.procDropped, m.procFailed, m.lambdaOk, m.lambdaFailed)
	}
	return m
}

// forget removes an application's series (its Run ended).
func (m *Metrics) forget(app string) {
	l := prometheus.Labels{"application": app}
	for _, v := range []*prometheus.CounterVec{m.inputRecords, m.inputRows, m.inputBytes, m.outputRecords, m.outputBytes,
		m.errors, m.procOk, m.procDropped, m.procFailed, m.lambdaOk, m.lambdaFailed} {
		v.DeletePartialMatch(l)
	}
	m.behind.DeletePartialMatch(l)
	m.checkpointAge.DeletePartialMatch(l)
}

package host

import "testing"

// FuzzDecodeResponses feeds function responses (untrusted) to the
// preprocessing and delivery decoders.
func FuzzDecodeResponses(f *testing.F) {
	f.Add([]byte(`{"records":[{"recordId":"1","result":"Ok","data":"YWJj"},{"recordId":"2","result":"Dropped"}]}`))
	f.Add([]byte(`{"records":[{"recordId":"1","result":"DeliveryFailed"},{"recordId":"9","result":"Ok"}]}`))
	f.Add([]byte(`{"records":[{"recordId":"1","result":"Ok","data":"!!"}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"records":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ids := []string{"1", "2"}
		res, _ := decodePreprocess(ids, b)
		if len(res) != len(ids) {
			t.Fatalf("%d results for %d records", len(res), len(ids))
		}
		for _, r := range res {
			if r.result != resultOk && r.result != resultDropped && r.result != resultProcessingFailed {
				t.Fatalf("result %q", r.result)
			}
		}
		ev := &deliveryEvent{Records: []deliveryRecord{{RecordID: "1"}, {RecordID: "2"}}}
		ok, _ := decodeDelivery(ev, b)
		if len(ok) != 2 {
			t.Fatalf("%d results", len(ok))
		}
	})
}

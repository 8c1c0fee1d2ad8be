package splunk

import (
	"net/http"
	"testing"
)

// FuzzDecodeResponse feeds HEC answers (and garbage) through the decoder
// and the classification every answer goes through.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"text":"Success","code":0,"ackId":7}`},
		{200, `{"text":"Success","code":0}`},
		{200, `{"acks":{"0":true,"1":false}}`},
		{400, `{"text":"Invalid data format","code":6,"invalid-event-number":2}`},
		{403, `{"text":"Invalid token","code":4}`},
		{503, `{"text":"Server is busy","code":9}`},
		{502, `<html>bad gateway</html>`},
		{200, `{"code":"0","ackId":-1,"acks":[1]}`},
		{200, ``},
		{404, `null`},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r, err := decodeResponse(status, body)
		e := classifyHEC(status, r, err)
		if e == nil || Messages[e.code] == "" {
			t.Fatalf("classifyHEC(%d, %q) = %v", status, body, e)
		}
		if err == nil && status == http.StatusOK && r.Code != nil && *r.Code == hecSuccess && r.AckID != nil {
			_ = *r.AckID
		}
	})
}

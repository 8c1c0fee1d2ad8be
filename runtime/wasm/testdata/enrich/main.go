// Command enrich is a benchmark guest: it parses each record as JSON, adds
// a field and encodes it again.
package main

import (
	"context"
	"encoding/json"

	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(enrich) }

func main() {}

func enrich(_ context.Context, b *sdk.Batch) error {
	for i, r := range b.Records {
		var m map[string]any
		if err := json.Unmarshal(r.Data, &m); err != nil {
			b.Fail(i)
			continue
		}
		m["enriched"] = true
		out, err := json.Marshal(m)
		if err != nil {
			return err
		}
		b.Set(i, out)
	}
	return nil
}

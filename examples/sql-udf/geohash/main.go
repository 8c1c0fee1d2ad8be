// Command geohash is a SQL user function: GEOHASH(lat, lon, precision)
// answers the geohash of a point, precision characters long (1 to 12).
// kinesin calls it with the JSON array of the SQL arguments and reads its
// JSON answer; a NULL argument gives NULL, a point off the globe an error
// (the row goes to error_stream). Build it for kinesin's WebAssembly
// runtime:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o geohash.wasm .
package main

import (
	"context"
	"fmt"

	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(geohash) }

func main() {}

const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"

// geohash takes (lat DOUBLE, lon DOUBLE, precision INTEGER); SQL NULLs
// arrive as JSON nulls, hence the pointers.
func geohash(_ context.Context, args [3]*float64) (*string, error) {
	lat, lon, prec := args[0], args[1], args[2]
	if lat == nil || lon == nil || prec == nil {
		return nil, nil
	}
	switch {
	case *lat < -90 || *lat > 90:
		return nil, fmt.Errorf("latitude %g is not within [-90, 90]", *lat)
	case *lon < -180 || *lon > 180:
		return nil, fmt.Errorf("longitude %g is not within [-180, 180]", *lon)
	case *prec < 1 || *prec > 12:
		return nil, fmt.Errorf("precision %g is not within [1, 12]", *prec)
	}
	latLo, latHi, lonLo, lonHi := -90.0, 90.0, -180.0, 180.0
	out := make([]byte, 0, 12)
	even := true // bits alternate longitude, latitude, starting with longitude
	var ch, bit byte
	for len(out) < int(*prec) {
		if even {
			mid := (lonLo + lonHi) / 2
			if *lon >= mid {
				ch |= 1 << (4 - bit)
				lonLo = mid
			} else {
				lonHi = mid
			}
		} else {
			mid := (latLo + latHi) / 2
			if *lat >= mid {
				ch |= 1 << (4 - bit)
				latLo = mid
			} else {
				latHi = mid
			}
		}
		even = !even
		if bit++; bit == 5 {
			out = append(out, base32[ch])
			ch, bit = 0, 0
		}
	}
	s := string(out)
	return &s, nil
}

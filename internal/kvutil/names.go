package kvutil

import "strings"

var nameEscaper = strings.NewReplacer("_", "__", ".", "_d")

// EscapeName maps a resource name of AWS's [a-zA-Z0-9_.-] alphabet onto a
// KV key, JetStream stream name or subject token, none of which may hold
// '.' where names may: '_' becomes "__" and '.' "_d", so that distinct
// names stay distinct. UnescapeName reverses it.
func EscapeName(name string) string { return nameEscaper.Replace(name) }

// UnescapeName undoes EscapeName.
func UnescapeName(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if k[i] == '_' && i+1 < len(k) {
			i++
			if k[i] == 'd' {
				b.WriteByte('.')
				continue
			}
		}
		b.WriteByte(k[i])
	}
	return b.String()
}

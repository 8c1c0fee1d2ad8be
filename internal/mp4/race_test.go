//go:build race

package mp4

// raceEnabled: sync.Pool drops objects at random under the race detector,
// so allocation counts mean nothing there.
const raceEnabled = true

//go:build !race

package mp4

const raceEnabled = false

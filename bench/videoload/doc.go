// Command videoload measures Kinesis Video Streams ingest and live
// playback against an in-process kinesin (embedded NATS in a temporary data
// dir), with real H.264 made by ffmpeg:
//
//   - ingest: one PutMedia session at AWS's per-stream limit (12.5 MB/s by
//     default), paced by bytes. For every fragment it records the time from
//     the fragment's last byte leaving the producer to its PERSISTED
//     acknowledgement, and to its appearance in a LIVE HLS media playlist
//     polled every few milliseconds (kinesin's live HLS latency).
//
//   - cameras: N concurrent PutMedia sessions (20 × 2 Mbit/s by default),
//     paced in real time like cameras. It reports the process CPU the run
//     used, less a baseline run of the same producers against an HTTP sink
//     that discards the bytes (what the producers themselves cost), so the
//     remainder is kinesin's.
//
// Run it with ffmpeg on PATH (Debian: apt-get install ffmpeg):
//
//	go run ./bench/videoload -duration 20s
package main

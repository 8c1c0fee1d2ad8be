package server

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kinesin/kinesin/router/images"
	"github.com/kinesin/kinesin/router/playback"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
)

// startVideo opens the Video Streams fragment store and serves the
// KinesisVideo control plane, PutMedia, GetMedia and the archived-media
// APIs (fragment lists, HLS and DASH sessions, clips, images). Every
// process serves every stream: fragments and their index live in
// JetStream, so a process that did not ingest a stream plays it back. It
// runs before the triggers, whose runner follows video streams too.
func (s *Server) startVideo(ctx context.Context, reg prometheus.Registerer) error {
	store, err := videostore.Open(ctx, s.nc, videostore.Options{Logger: s.log})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.videoStore = store
	svc, err := video.New(ctx, s.nc, store, video.Config{
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, Logger: s.log, Endpoint: s.URL,
	}, video.NewMetrics(reg))
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.video = svc
	svc.Register(s.http)
	pb, err := playback.New(ctx, s.nc, store, svc, playback.Config{Logger: s.log, Endpoint: s.URL})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	pb.Register(s.http)
	images.New(store, svc, images.Config{Logger: s.log, FFmpeg: s.cfg.FFmpeg}).Register(s.http)
	return nil
}

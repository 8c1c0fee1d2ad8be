package playback

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/kinesin/kinesin/router/video"
	"github.com/nats-io/nats.go/jetstream"
)

// KeyBucket is the JetStream KV bucket that holds the session token HMAC key.
const KeyBucket = "kinesin_video_playback"

const (
	keyName    = "session-token-hmac-key"
	keyBytes   = 32
	macBytes   = sha256.Size
	maxTokenSz = 4096
	tokenV     = 1
)

// Protocols of a session.
const (
	protoHLS  = "hls"
	protoDASH = "dash"
)

// session is what a session token carries. Times are Unix nanoseconds
// (Start, End), milliseconds (Created) and seconds (Expires).
type session struct {
	V         int    `json:"v"`
	Proto     string `json:"p"`
	Stream    string `json:"s"` // videostore id
	Name      string `json:"n,omitempty"`
	Mode      string `json:"m"`
	Kind      string `json:"k"` // PRODUCER_TIMESTAMP | SERVER_TIMESTAMP
	Start     int64  `json:"a,omitempty"`
	End       int64  `json:"b,omitempty"` // 0: open (LIVE, LIVE_REPLAY without end)
	Container string `json:"c,omitempty"` // HLS: FRAGMENTED_MP4 | MPEG_TS
	Disc      string `json:"d,omitempty"` // HLS: ALWAYS | NEVER | ON_DISCONTINUITY
	ShowTS    bool   `json:"t,omitempty"`
	ShowFN    bool   `json:"f,omitempty"` // DASH
	Max       int    `json:"x"`
	Created   int64  `json:"i"`
	Expires   int64  `json:"e"`
}

// valid checks what a decoded token must hold; a token that passes its HMAC
// was minted by kinesin, so this guards against key reuse across versions.
func (s *session) valid() bool {
	if s.V != tokenV || (s.Proto != protoHLS && s.Proto != protoDASH) || s.Stream == "" {
		return false
	}
	switch s.Mode {
	case modeLive, modeLiveReplay, modeOnDemand:
	default:
		return false
	}
	if s.Kind != kindProducer && s.Kind != kindServer {
		return false
	}
	return s.Max >= 1 && s.Max <= 5000
}

// signer mints and checks session tokens with one HMAC key.
type signer struct{ key []byte }

// loadKey returns the shared HMAC key, creating it when no process has yet.
func loadKey(ctx context.Context, js jetstream.JetStream) ([]byte, error) {
	kv, err := kvutil.Bucket(ctx, js, KeyBucket, "kinesin Video Streams playback session keys", 1, false)
	if err != nil {
		return nil, fmt.Errorf("playback: %w", err)
	}
	key := make([]byte, keyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("playback: new session key: %w", err)
	}
	if _, err := kv.Create(ctx, keyName, key); err == nil {
		return key, nil
	} else if !kvutil.IsConflict(err) {
		return nil, fmt.Errorf("playback: store session key: %w", err)
	}
	e, err := kv.Get(ctx, keyName)
	if err != nil {
		return nil, fmt.Errorf("playback: read session key: %w", err)
	}
	if len(e.Value()) < 16 {
		return nil, errors.New("playback: session key in " + KeyBucket + " is too short")
	}
	return e.Value(), nil
}

func (g signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, g.key)
	m.Write(payload)
	return m.Sum(nil)
}

// encode renders s as base64url(JSON) "." base64url(HMAC-SHA256).
func (g signer) encode(s *session) string {
	payload, _ := json.Marshal(s)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(g.mac(payload))
}

// decode checks a token and returns its session. Errors are *awserr.Error
// as the API answers them: a token that is not one of ours is an
// InvalidArgumentException, a forged or expired one a NotAuthorizedException.
func (g signer) decode(token string, now time.Time) (*session, error) {
	if token == "" {
		return nil, video.ErrInvalidArgument.New("SessionToken is required.")
	}
	if len(token) > maxTokenSz {
		return nil, video.ErrInvalidArgument.New("The SessionToken is not valid.")
	}
	p, m, ok := strings.Cut(token, ".")
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	mac, err2 := enc.DecodeString(m)
	if !ok || err1 != nil || err2 != nil || len(mac) != macBytes || len(payload) == 0 {
		return nil, video.ErrInvalidArgument.New("The SessionToken is not valid.")
	}
	if !hmac.Equal(mac, g.mac(payload)) {
		return nil, ErrNotAuthorized.New("The session token is not authorized.")
	}
	var s session
	if err := json.Unmarshal(payload, &s); err != nil || !s.valid() {
		return nil, video.ErrInvalidArgument.New("The SessionToken is not valid.")
	}
	if now.Unix() >= s.Expires {
		return nil, ErrNotAuthorized.New("Streaming session token is expired.")
	}
	return &s, nil
}

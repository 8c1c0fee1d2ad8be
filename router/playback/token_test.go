package playback

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router/video"
)

func testSession(now time.Time) *session {
	return &session{V: tokenV, Proto: protoHLS, Stream: "id-cam", Name: "cam", Mode: modeOnDemand, Kind: kindProducer,
		Start: now.Add(-time.Hour).UnixNano(), End: now.UnixNano(), Container: containerTS, Disc: onDiscontinuity,
		ShowTS: true, Max: 1000, Created: now.UnixMilli(), Expires: now.Unix() + 300}
}

func TestTokenRoundTrip(t *testing.T) {
	now := time.Now()
	g := signer{key: []byte("0123456789abcdef0123456789abcdef")}
	want := testSession(now)
	tok := g.encode(want)
	if strings.ContainsAny(tok, "+/=&?# ") {
		t.Errorf("token %q is not URL-safe", tok)
	}
	got, err := g.decode(tok, now)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *want {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	other := signer{key: []byte("another key of thirty-two bytes!")}
	if _, err := other.decode(tok, now); !ErrNotAuthorized.Is(err) {
		t.Errorf("other key: %v, want NotAuthorizedException", err)
	}
	if _, err := g.decode(tok, now.Add(300*time.Second)); !ErrNotAuthorized.Is(err) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired: %v", err)
	}
}

// TestSharedKey: every process on a NATS deployment signs with one key.
func TestSharedKey(t *testing.T) {
	js := natstest.JetStream(t)
	ctx := context.Background()
	a, err := loadKey(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadKey(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != keyBytes || string(a) != string(b) {
		t.Errorf("keys %x and %x", a, b)
	}
}

func FuzzDecodeToken(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	g := signer{key: []byte("0123456789abcdef0123456789abcdef")}
	valid := g.encode(testSession(now))
	payload, _, _ := strings.Cut(valid, ".")
	for _, seed := range []string{valid, "", ".", "a.b", payload, payload + ".", valid + "x", "eyJ2IjoxfQ." + strings.Repeat("A", 43),
		g.encode(&session{V: 2}), g.encode(&session{V: tokenV, Proto: protoDASH, Stream: "x", Mode: "LIVE", Kind: kindServer, Max: 0}),
		strings.Repeat("A", 5000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		s, err := g.decode(token, now)
		if err != nil {
			if e := awserr.As(err); e.Kind != video.ErrInvalidArgument && e.Kind != ErrNotAuthorized {
				t.Fatalf("decode error %v is not InvalidArgument or NotAuthorized", err)
			}
			return
		}
		if !s.valid() {
			t.Fatalf("decoded an invalid session %+v", s)
		}
		again, err := g.decode(g.encode(s), now)
		if err != nil || *again != *s {
			t.Fatalf("re-encoding %+v: %+v, %v", s, again, err)
		}
	})
}

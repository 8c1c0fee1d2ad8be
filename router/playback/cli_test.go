package playback

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI drives the service with the AWS CLI (botocore's model of the
// Archived Media API), when it is installed.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	e := newEnvs(t, 1)[0]
	ref := e.createStream("cam", time.Hour)
	hs, cs := clusters(t, fixture)
	base := time.Now().Add(-10 * time.Second).Truncate(time.Second)
	for i := range cs {
		e.appendCluster(ref.ID, hs[i], cs[i], base, 0, "s")
	}
	aws := func(args ...string) (string, error) {
		cmd := exec.Command("aws", append([]string{"kinesis-video-archived-media", "--endpoint-url", e.url, "--output", "text"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	rng := "FragmentSelectorType=PRODUCER_TIMESTAMP,TimestampRange={StartTimestamp=" + base.UTC().Format(time.RFC3339) +
		",EndTimestamp=" + base.Add(time.Minute).UTC().Format(time.RFC3339) + "}"
	out, err := aws("get-hls-streaming-session-url", "--stream-name", "cam", "--playback-mode", "ON_DEMAND", "--hls-fragment-selector", rng)
	if err != nil || !strings.HasPrefix(out, e.url+"/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=") {
		t.Errorf("get-hls-streaming-session-url: %v %s", err, out)
	}
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err = aws("get-clip", "--stream-name", "cam", "--clip-fragment-selector", rng, clip)
	if b, rerr := os.ReadFile(clip); err != nil || rerr != nil || len(b) < 8 || string(b[4:8]) != "ftyp" || !strings.Contains(out, "video/mp4") {
		t.Errorf("get-clip: %v %s", err, out)
	}
	out, err = aws("get-hls-streaming-session-url", "--stream-name", "cam", "--playback-mode", "ON_DEMAND")
	if err == nil || !strings.Contains(out, "(InvalidArgumentException)") || !strings.Contains(out, "HLSFragmentSelector") {
		t.Errorf("missing selector: %v %s", err, out)
	}
}

package video_test

// The example of README.md, end to end: the test runs the kinesin commands
// of the README's shell blocks (with the kinesin binary, in the repository
// root, as a user does) against an in-process server, with the README's
// ffmpeg clip made in a temporary directory, and checks what they print:
// the fragments PutMedia acknowledged, ListFragments' table, one log line
// of the mapped function per fragment, a playable HLS URL and an MP4 clip.

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func needFFmpeg(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("ffmpeg is required in CI: %v", err)
		}
		t.Skipf("ffmpeg not installed: %v", err)
	}
	return bin
}

func TestReadme(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	cmds := testutil.ReadmeCommands(t, "README.md")
	tmp := t.TempDir()
	// The README's clip: 5 s of test video, a keyframe a second.
	clip := filepath.Join(tmp, "clip.mp4")
	if out, err := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=5:size=320x180:rate=30",
		"-c:v", "libx264", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	bin := testutil.BuildKinesin(t)
	s := testutil.Start(t, server.Config{DataDir: t.TempDir(), TriggerTimeUnit: 10 * time.Millisecond})

	run := func(c testutil.Command) (string, string, error) {
		args := make([]string, len(c.Args))
		for i, a := range c.Args {
			if strings.HasSuffix(a, ".mp4") && !strings.Contains(a, "/") {
				a = filepath.Join(tmp, a) // the README's files, made in the current directory
			}
			args[i] = a
		}
		cmd := testutil.Command{Args: args, Stdin: c.Stdin}.Exec(bin, s.URL(), "../..")
		var out, errw bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errw
		err := cmd.Run()
		return out.String(), errw.String(), err
	}
	ran := map[string]string{}
	for _, c := range cmds {
		name := c.Args[0]
		if len(c.Args) > 1 && (name == "video" || name == "functions") {
			name += " " + c.Args[1]
		}
		switch name {
		case "serve":
			continue
		case "apply", "video put", "video fragments", "video play", "video clip":
		case "functions logs":
			// The mapping invokes the function asynchronously: wait for one
			// line per fragment.
			deadline := time.Now().Add(60 * time.Second)
			for {
				out, errw, err := run(c)
				if err != nil {
					t.Fatalf("kinesin %s: %v\n%s%s", strings.Join(c.Args, " "), err, out, errw)
				}
				if strings.Count(out, "fragment ") >= 5 || time.Now().After(deadline) {
					ran[name] = out
					break
				}
				time.Sleep(100 * time.Millisecond) // polling the logs, not waiting for a fixed time
			}
			continue
		default:
			t.Fatalf("README runs kinesin %s, which this test does not know", strings.Join(c.Args, " "))
		}
		out, errw, err := run(c)
		if err != nil {
			t.Fatalf("kinesin %s: %v\n%s%s", strings.Join(c.Args, " "), err, out, errw)
		}
		t.Logf("kinesin %s:\n%s%s", strings.Join(c.Args, " "), out, errw)
		ran[name] = out
		if name == "video put" {
			ran["video put stderr"] = errw
		}
	}

	for _, want := range []string{"video stream cam1: created (retention 24h)", "function fragment-logger: created"} {
		if !strings.Contains(ran["apply"], want) {
			t.Errorf("apply lacks %q:\n%s", want, ran["apply"])
		}
	}
	if ran["video put"] != "5 fragments persisted\n" {
		t.Errorf("put printed %q, want 5 fragments", ran["video put"])
	}
	if n := len(regexp.MustCompile(`(?m)^fragment \d+ PERSISTED \S+ \S+ \(timecode \d+\)$`).FindAllString(ran["video put stderr"], -1)); n != 5 {
		t.Errorf("put reported %d PERSISTED fragments on stderr:\n%s", n, ran["video put stderr"])
	}
	if rows := strings.Split(strings.TrimSpace(ran["video fragments"]), "\n"); len(rows) != 6 || !strings.HasPrefix(rows[0], "FRAGMENT NUMBER") {
		t.Errorf("fragments printed:\n%s", ran["video fragments"])
	}
	if n := len(regexp.MustCompile(`(?m)fragment \d+ of cam1: producer time \S+, \d+ ms, \d+ bytes$`).FindAllString(ran["functions logs"], -1)); n != 5 {
		t.Errorf("function logged %d fragments, want 5:\n%s", n, ran["functions logs"])
	}

	// Applying the file again changes nothing: the mapping of a video
	// stream converges like any other.
	for _, c := range cmds {
		if c.Args[0] == "apply" {
			out, errw, err := run(c)
			if err != nil || !strings.HasSuffix(out, "no changes\n") {
				t.Errorf("apply again: %v\n%s%s", err, out, errw)
			}
		}
	}

	url := strings.TrimSpace(ran["video play"])
	if !strings.Contains(url, "getHLSMasterPlaylist.m3u8") {
		t.Fatalf("play printed %q", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "#EXTM3U") {
		t.Errorf("GET %s: %s\n%s", url, resp.Status, body)
	}

	mp4, err := os.ReadFile(filepath.Join(tmp, "cam1.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mp4) < 12 || string(mp4[4:8]) != "ftyp" {
		t.Errorf("clip is not an MP4 (%d bytes)", len(mp4))
	}
	if probe, err := exec.LookPath("ffprobe"); err == nil {
		out, err := exec.Command(probe, "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", filepath.Join(tmp, "cam1.mp4")).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "150" {
			t.Errorf("ffprobe of the clip: %v: %s (want 150 frames)", err, out)
		}
	}
}

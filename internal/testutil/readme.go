package testutil

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Command is a kinesin command line of a README: its arguments after
// "kinesin", and the here-document it reads, if any.
type Command struct {
	Args  []string
	Stdin string
}

// Exec is the command run with the kinesin binary bin against the server
// at url, in dir (where the README's paths start).
func (c Command) Exec(bin, url, dir string) *exec.Cmd {
	cmd := exec.Command(bin, c.Args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KINESIN_ENDPOINT="+url)
	cmd.Stdin = strings.NewReader(c.Stdin)
	return cmd
}

// ReadmeCommands parses the ```sh blocks of a README, so that a test runs
// what the README tells users to: each line starting with "kinesin " is a
// command (other lines are not run); words are split at blanks, '…' quotes
// a word, a word starting with # ends the line, "&" is ignored and
// <<'EOF' feeds the lines up to EOF to the command.
func ReadmeCommands(t testing.TB, path string) []Command {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		cmds    []Command
		inBlock bool
		heredoc string
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case heredoc != "":
			if line == heredoc {
				heredoc = ""
			} else {
				cmds[len(cmds)-1].Stdin += line + "\n"
			}
		case !inBlock:
			inBlock = line == "```sh"
		case line == "```":
			inBlock = false
		case strings.HasPrefix(line, "kinesin "):
			var c Command
			for _, w := range shellWords(t, strings.TrimPrefix(line, "kinesin ")) {
				switch {
				case w == "&":
				case strings.HasPrefix(w, "<<"):
					heredoc = strings.Trim(strings.TrimPrefix(w, "<<"), "'")
				default:
					c.Args = append(c.Args, w)
				}
			}
			cmds = append(cmds, c)
		}
	}
	if inBlock || heredoc != "" || len(cmds) == 0 {
		t.Fatalf("%s: want closed sh blocks with kinesin commands", path)
	}
	return cmds
}

func shellWords(t testing.TB, s string) []string {
	t.Helper()
	var (
		words []string
		cur   strings.Builder
		inW   bool
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				t.Fatalf("unterminated quote in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inW = true
		case c == ' ' || c == '\t':
			if inW {
				words = append(words, cur.String())
				cur.Reset()
				inW = false
			}
		case c == '#' && !inW:
			return words
		default:
			cur.WriteByte(c)
			inW = true
		}
	}
	if inW {
		words = append(words, cur.String())
	}
	return words
}

// SyncBuffer is a bytes.Buffer that a process writes while a test reads
// it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Reset empties the buffer.
func (s *SyncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

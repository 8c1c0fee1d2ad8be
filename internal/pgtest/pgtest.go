package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kinesin/kinesin/internal/clock"
)

// Database is the name of the database Start creates.
const Database = "kinesin_test"

// Server is one running (or stopped) PostgreSQL server.
type Server struct {
	bin  string
	dir  string // owned by the run user; holds data/ and the socket
	port int
	cred *syscall.Credential

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *lockedBuffer
}

// Start answers the URL of a fresh database for the test
// (postgres://postgres@127.0.0.1:<port>/<name>?sslmode=disable). In a
// package whose TestMain runs Main, every Start gets a new database on
// one server shared by the package's tests; otherwise Start runs a server
// for the test alone. Either way the test's database is its own.
func Start(tb testing.TB) string {
	tb.Helper()
	if !shared.on {
		return StartServer(tb).URL()
	}
	shared.once.Do(func() {
		if shared.err = available(); shared.err != nil {
			return
		}
		s := &Server{}
		if shared.err = s.setup(); shared.err == nil {
			shared.err = s.start()
		}
		shared.s = s
	})
	if shared.err != nil {
		unavailable(tb, shared.err)
	}
	shared.mu.Lock()
	shared.n++
	name := fmt.Sprintf("%s_%d", Database, shared.n)
	shared.mu.Unlock()
	if err := shared.s.createDB(name); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return shared.s.url(name)
}

// shared is the server of a package whose TestMain runs Main.
var shared struct {
	on   bool
	once sync.Once
	s    *Server
	err  error
	mu   sync.Mutex
	n    int
}

// Main runs the package's tests with one PostgreSQL server shared by
// every Start (started by the first), and stops it after them:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	shared.on = true
	code := m.Run()
	if shared.s != nil {
		shared.s.Stop()
		if shared.s.dir != "" {
			_ = os.RemoveAll(shared.s.dir)
		}
	}
	return code
}

func available() error {
	_, err := findBin()
	return err
}

func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("pgtest: %v (CI=true: install the postgresql package)", err)
	}
	tb.Skipf("pgtest: %v; install PostgreSQL (apt-get install postgresql) to run this test", err)
}

// StartServer runs a PostgreSQL server for the test alone, with a fresh
// database (URL); tests can Stop and Restart it (on the same port) to play
// a database that goes away. The server stops when the test ends.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	if err := available(); err != nil {
		unavailable(tb, err)
	}
	s := &Server{}
	err := s.setup()
	tb.Cleanup(func() {
		s.Stop()
		if s.dir != "" {
			_ = os.RemoveAll(s.dir)
		}
	})
	if err == nil {
		err = s.start()
	}
	if err == nil {
		err = s.createDB(Database)
	}
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return s
}

func (s *Server) createDB(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.url("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return nil
}

// URL is the connection URL of the test database.
func (s *Server) URL() string { return s.url(Database) }

// Port is the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

func (s *Server) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// findBin answers the directory holding initdb and postgres: PATH first,
// then the newest /usr/lib/postgresql/<version>/bin.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL not found (no initdb and postgres in PATH or /usr/lib/postgresql/*/bin)")
}

func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// runAs answers the credential to run PostgreSQL with: none unless we
// are root, then the postgres user's or nobody's.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, errors.New("running as root and there is no postgres or nobody user to run PostgreSQL as")
}

func (s *Server) setup() error {
	bin, err := findBin()
	if err != nil {
		return err
	}
	s.bin = bin
	cred, err := runAs()
	if err != nil {
		return err
	}
	s.cred = cred
	// Not tb.TempDir: its parent is private to the test's user, and the
	// server may run as another user.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	s.dir = dir
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("chown %s: %w", dir, err)
		}
		// The server's user must be able to reach the directory.
		for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
			if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o001 == 0 {
				return fmt.Errorf("%s is not reachable by uid %d (PostgreSQL cannot run as root): set TMPDIR to a directory others can enter", p, cred.Uid)
			}
			if p == filepath.Dir(p) {
				break
			}
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	s.port = port
	var out bytes.Buffer
	cmd := exec.Command(filepath.Join(s.bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	cmd.Stdout, cmd.Stderr = &out, &out
	s.prepare(cmd)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out.String())
	}
	return nil
}

func (s *Server) prepare(cmd *exec.Cmd) {
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if s.cred != nil {
		attr.Credential = s.cred
		cmd.Env = append(cmd.Env, "HOME="+s.dir)
	}
	cmd.SysProcAttr = attr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	s.log = &lockedBuffer{}
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", filepath.Join(s.dir, "data"),
		"-p", strconv.Itoa(s.port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+s.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=50")
	cmd.Stdout, cmd.Stderr = s.log, s.log
	s.prepare(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	// Poll until it takes connections.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		c, err := pgx.Connect(ctx, s.url("postgres"))
		if err == nil {
			_ = c.Close(ctx)
			return nil
		}
		select {
		case <-done:
			s.cmd = nil
			return fmt.Errorf("postgres exited: %s", s.log.String())
		default:
		}
		if !clock.Sleep(ctx, 20*time.Millisecond) {
			return fmt.Errorf("postgres not accepting connections after 60s: %v\n%s", err, s.log.String())
		}
	}
}

// Stop shuts the server down (fast shutdown: open sessions are ended) and
// waits until it has exited.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Restart starts a stopped server again, on the same port and data.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	if err := s.start(); err != nil {
		tb.Fatalf("pgtest: restart: %v", err)
	}
}

// Log is what the server has written so far (for failing tests).
func (s *Server) Log() string {
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the tail bounded
		l.b.Reset()
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.TrimSpace(l.b.String())
}

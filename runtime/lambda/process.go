package lambda

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// process is one running bootstrap with its own Runtime API endpoint.
type process struct {
	pool *pool
	log  *slog.Logger
	cmd  *exec.Cmd
	ln   net.Listener
	srv  *fasthttp.Server

	calls    chan *call     // the invocation assigned to the process (cap 1)
	ready    chan struct{}  // closed at the first GET /next: init is done
	initErr  chan errorBody // POST /runtime/init/error (cap 1)
	exited   chan struct{}  // closed once the process was reaped
	exitErr  error          // set before exited is closed
	outDone  chan struct{}  // closed when stdout/stderr reached EOF
	readyOne sync.Once

	mu     sync.Mutex
	cur    *call  // invocation sent to the process and not yet answered
	logTo  *call  // invocation whose Logs collect the output now
	lastID string // last answered request id (a second answer is a 403)
	out    *os.File
	outRaw syscall.RawConn
	buf    []byte // read buffer, used under mu
	line   []byte // partial output line for slog, used under mu
}

// startProcess starts fn's bootstrap; output goes to first's logs until
// it is answered.
func (pl *pool) startProcess(first *call) (*process, error) {
	fn := pl.fn
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambda: runtime api listener: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("lambda: output pipe: %w", err)
	}
	stream := logStreamName(fn.Version)
	p := &process{
		pool:    pl,
		ln:      ln,
		calls:   make(chan *call, 1),
		ready:   make(chan struct{}),
		initErr: make(chan errorBody, 1),
		exited:  make(chan struct{}),
		outDone: make(chan struct{}),
		logTo:   first,
		out:     r,
		buf:     make([]byte, 32<<10),
	}
	p.log = pl.log.With("stream", stream)
	p.outRaw, err = r.SyscallConn()
	if err != nil {
		ln.Close()
		r.Close()
		w.Close()
		return nil, fmt.Errorf("lambda: output pipe: %w", err)
	}
	cmd := exec.Command(filepath.Join(fn.CodeDir, "bootstrap"))
	cmd.Dir = fn.CodeDir
	cmd.Env = pl.environ(ln.Addr().String(), stream)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = sysProcAttr()
	p.cmd = cmd
	p.srv = p.newServer()
	if err := cmd.Start(); err != nil {
		ln.Close()
		r.Close()
		w.Close()
		return nil, fmt.Errorf("lambda: start bootstrap: %w", err)
	}
	w.Close() // the child holds the write end now
	go p.srv.Serve(ln)
	go p.readOutput()
	go p.wait()
	return p, nil
}

// environ is the environment of a Lambda provided runtime plus the
// function's variables; the reserved names win, as Lambda rejects them.
func (pl *pool) environ(api, stream string) []string {
	fn, cfg := pl.fn, pl.cfg
	mem := fn.MemoryMB
	if mem <= 0 {
		mem = 128
	}
	env := make([]string, 0, len(fn.Environment)+24)
	for k, v := range fn.Environment {
		env = append(env, k+"="+v)
	}
	if _, ok := fn.Environment["GOMAXPROCS"]; !ok {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(goMaxProcs(cfg.GoMaxProcs, mem)))
	}
	if path := os.Getenv("PATH"); path != "" && fn.Environment["PATH"] == "" {
		env = append(env, "PATH="+path)
	}
	env = append(env,
		"AWS_LAMBDA_RUNTIME_API="+api,
		"_HANDLER="+fn.Handler,
		"LAMBDA_TASK_ROOT="+fn.CodeDir,
		"AWS_REGION="+fn.Region,
		"AWS_DEFAULT_REGION="+fn.Region,
		"AWS_LAMBDA_FUNCTION_NAME="+fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION="+fn.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(mem),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME="+stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_EXECUTION_ENV=AWS_Lambda_"+fn.Runtime,
		"AWS_ACCESS_KEY_ID="+cfg.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+cfg.SecretAccessKey,
		"AWS_SESSION_TOKEN="+cfg.SessionToken,
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
	)
	return env
}

// goMaxProcs is n, or Lambda's vCPU share of memMB.
func goMaxProcs(n, memMB int) int {
	if n > 0 {
		return n
	}
	return min(max(1, (memMB+1768)/1769), runtime.NumCPU())
}

// logStreamName is Lambda's "2006/01/02/[$LATEST]<32 hex>".
func logStreamName(version string) string {
	return time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + randomHex(16)
}

// wait reaps the process, then cleans up what it left: its process group,
// its endpoint (which ends a pending GET /next).
func (p *process) wait() {
	err := p.cmd.Wait()
	if err == nil {
		err = errors.New("exit status 0")
	}
	p.exitErr = err
	p.signalGroup()
	close(p.exited) // before closing the listener: ends a pending GET /next
	p.ln.Close()
}

// kill stops the process and everything it started (SIGKILL to the
// group). Once it was reaped, wait did that already, and the group id
// may name someone else's group.
func (p *process) kill() {
	if p.alive() {
		p.signalGroup()
	}
}

func (p *process) signalGroup() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// alive reports whether the process has not exited.
func (p *process) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// waitExit waits for the process to be reaped and its output drained, at
// most for d.
func (p *process) waitExit(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
		return
	}
	select {
	case <-p.outDone:
	case <-t.C:
	}
}

// assign makes c the process's invocation: it is answered through /next,
// its output is collected from now on.
func (p *process) assign(c *call) {
	p.mu.Lock()
	p.cur, p.logTo = c, c
	p.mu.Unlock()
	p.calls <- c
}

// answer completes c with a; it reports false when c is not the current
// invocation anymore (answered, timed out). The output the process wrote
// before answering is read first, so it lands in c's logs.
func (p *process) answer(c *call, a answer) bool {
	p.mu.Lock()
	if p.cur != c {
		p.mu.Unlock()
		return false
	}
	p.drainLocked()
	p.cur, p.logTo, p.lastID = nil, nil, c.id
	p.mu.Unlock()
	c.done <- a
	return true
}

// detach stops collecting output into c (it timed out, crashed or its
// caller left); what is still unread is drained first.
func (p *process) detach(c *call) {
	p.mu.Lock()
	if p.logTo == c {
		p.drainLocked()
		p.logTo = nil
	}
	if p.cur == c {
		p.cur = nil
	}
	p.mu.Unlock()
}

package lambda

import (
	"bytes"
	"syscall"
)

// A process's stdout and stderr share one pipe, read by readOutput and, at
// the end of an invocation, by drainLocked: both read under process.mu
// with non-blocking reads, so every byte the process wrote before it
// answered lands in that invocation's logs, and none of the next one's.

// readOutput copies the process's stdout and stderr to the logs of the
// current invocation and to slog until EOF.
func (p *process) readOutput() {
	defer close(p.outDone)
	defer p.out.Close()
	for {
		var eof bool
		err := p.outRaw.Read(func(fd uintptr) bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			n, again, err := p.readLocked(fd)
			if err != nil || (n == 0 && !again) {
				eof = true
				return true
			}
			return !again
		})
		if err != nil || eof {
			p.mu.Lock()
			p.flushLineLocked()
			p.mu.Unlock()
			return
		}
	}
}

// drainLocked reads whatever output is in the pipe without blocking.
func (p *process) drainLocked() {
	_ = p.outRaw.Control(func(fd uintptr) {
		for {
			n, again, err := p.readLocked(fd)
			if err != nil || again || n == 0 {
				return
			}
		}
	})
}

// readLocked does one non-blocking read; again reports an empty pipe.
func (p *process) readLocked(fd uintptr) (n int, again bool, err error) {
	for {
		n, err = syscall.Read(int(fd), p.buf)
		if err == syscall.EINTR {
			continue
		}
		break
	}
	if err == syscall.EAGAIN {
		return 0, true, nil
	}
	if err != nil || n <= 0 {
		return 0, false, err
	}
	chunk := p.buf[:n]
	if p.logTo != nil {
		p.logTo.logs = appendTail(p.logTo.logs, chunk)
	}
	p.logLinesLocked(chunk)
	return n, false, nil
}

// maxLogBytes caps the output captured per invocation, as the wasm
// engine's; past it the oldest output is dropped, the most recent kept.
const maxLogBytes = 1 << 20

// appendTail appends chunk to logs and keeps the last maxLogBytes.
func appendTail(logs, chunk []byte) []byte {
	if len(chunk) >= maxLogBytes {
		return append(logs[:0], chunk[len(chunk)-maxLogBytes:]...)
	}
	if over := len(logs) + len(chunk) - maxLogBytes; over > 0 {
		logs = logs[:copy(logs, logs[over:])]
	}
	return append(logs, chunk...)
}

// logLinesLocked sends complete lines to slog.
func (p *process) logLinesLocked(chunk []byte) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			p.line = append(p.line, chunk...)
			if len(p.line) > 64<<10 {
				p.flushLineLocked()
			}
			return
		}
		p.line = append(p.line, chunk[:i]...)
		p.flushLineLocked()
		chunk = chunk[i+1:]
	}
}

func (p *process) flushLineLocked() {
	if len(p.line) == 0 {
		return
	}
	id := ""
	if p.logTo != nil {
		id = p.logTo.id
	}
	p.log.Info(string(p.line), "requestId", id)
	p.line = p.line[:0]
}

package server

import (
	"fmt"
	"path/filepath"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/runtime/lambda"
	"github.com/kinesin/kinesin/runtime/wasm"
)

// startFunctions builds the function runtimes and the registry behind the
// Lambda API. Caches (compiled WebAssembly, extracted packages) live under
// the data dir; the code itself is in JetStream's object store.
func (s *Server) startFunctions() error {
	cache := filepath.Join(s.cfg.DataDir, "cache")
	w, err := wasm.New(wasm.Config{CacheDir: filepath.Join(cache, "wasm"), Logger: s.log, Uninterruptible: s.cfg.WasmUninterruptible})
	if err != nil {
		return fmt.Errorf("server: wasm runtime: %w", err)
	}
	s.engines = functions.Engines{functions.EngineWasm: w}
	l, err := lambda.New(lambda.Config{Logger: s.log})
	if err != nil {
		return fmt.Errorf("server: lambda runtime: %w", err)
	}
	s.engines[functions.EngineLambda] = l
	s.fns, err = functions.New(s.store.JetStream(), s.engines, functions.Config{
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, CodeDir: filepath.Join(cache, "code"), Logger: s.log,
	})
	if err != nil {
		return fmt.Errorf("server: functions: %w", err)
	}
	return nil
}

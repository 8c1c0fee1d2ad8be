// Command faults is a test guest whose JSON handler misbehaves on request.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kinesin/kinesin/sdk"
)

type event struct {
	Action string `json:"action"`
	Echo   string `json:"echo"`
}

var sink [][]byte

func init() { sdk.Start(handle) }

func main() {}

func handle(_ context.Context, ev event) (map[string]string, error) {
	switch ev.Action {
	case "error":
		return nil, errors.New("boom")
	case "panic":
		panic("guest panicked")
	case "trap":
		os.Exit(3)
	case "loop":
		for i := 0; ; i++ {
			_ = i
		}
	case "alloc":
		for {
			sink = append(sink, make([]byte, 1<<20))
		}
	case "log":
		fmt.Println("hello from the guest")
		fmt.Fprintln(os.Stderr, "and from stderr")
	}
	return map[string]string{"echo": ev.Echo, "region": os.Getenv("AWS_REGION")}, nil
}

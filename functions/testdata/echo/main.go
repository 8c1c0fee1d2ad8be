// Command echo is the function the functions package's tests deploy. It
// echoes its event, unless the event asks otherwise:
//
//	{"error":"msg"}    returns an error
//	{"log":"text"}     prints text, then echoes
//	{"sleepMs":N}      sleeps N ms, then echoes
//	{"touch":"path"}   creates the file, then echoes
//	{"env":"NAME"}     answers the variable's value
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type command struct {
	Error   *string `json:"error"`
	Log     *string `json:"log"`
	SleepMs int     `json:"sleepMs"`
	Touch   string  `json:"touch"`
	Env     string  `json:"env"`
}

func main() {
	lambda.Start(func(ctx context.Context, e json.RawMessage) (any, error) {
		var c command
		_ = json.Unmarshal(e, &c)
		if c.Log != nil {
			fmt.Println(*c.Log)
		}
		if c.SleepMs > 0 {
			time.Sleep(time.Duration(c.SleepMs) * time.Millisecond)
		}
		if c.Touch != "" {
			if err := os.WriteFile(c.Touch, []byte("ok"), 0o644); err != nil {
				return nil, err
			}
		}
		if c.Error != nil {
			return nil, errors.New(*c.Error)
		}
		if c.Env != "" {
			return os.Getenv(c.Env), nil
		}
		return e, nil
	})
}

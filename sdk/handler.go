package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/events"
)

// handler is a user handler classified by form.
type handler struct {
	batch    func(context.Context, *Batch) error
	kinesis  func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error)
	firehose func(context.Context, events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error)
	window   func(context.Context, events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error)
	// json runs any handler except the batch form on a JSON event.
	json func(context.Context, []byte) ([]byte, error)
}

func newHandler(h any) (*handler, error) {
	hd := &handler{}
	switch f := h.(type) {
	case func(context.Context, *Batch) error:
		hd.batch = f
		hd.json = hd.batchJSON
		return hd, nil
	case func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error):
		hd.kinesis = f
	case func(context.Context, events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error):
		hd.firehose = f
	case func(context.Context, events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error):
		hd.window = f
	}
	var err error
	hd.json, err = reflectJSON(h)
	return hd, err
}

// reflectJSON adapts the handler signatures aws-lambda-go accepts:
// func([ctx][, In]) ([Out, ]error) (and no results at all).
func reflectJSON(h any) (func(context.Context, []byte) ([]byte, error), error) {
	v := reflect.ValueOf(h)
	t := v.Type()
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("sdk: handler kind %s is not func", t.Kind())
	}
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	takesCtx := t.NumIn() > 0 && t.In(0).Implements(ctxType)
	var in reflect.Type
	switch {
	case t.NumIn() > 2, t.NumIn() == 2 && !takesCtx:
		return nil, fmt.Errorf("sdk: handler takes (context.Context, In), not %s", t)
	case t.NumIn() == 2 || t.NumIn() == 1 && !takesCtx:
		in = t.In(t.NumIn() - 1)
	}
	nOut := t.NumOut()
	if nOut > 2 || nOut > 0 && !t.Out(nOut-1).Implements(errType) {
		return nil, fmt.Errorf("sdk: handler returns (Out, error), not %s", t)
	}
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		args := make([]reflect.Value, 0, 2)
		if takesCtx {
			args = append(args, reflect.ValueOf(&ctx).Elem())
		}
		if in != nil {
			ev := reflect.New(in)
			if err := json.Unmarshal(payload, ev.Interface()); err != nil {
				return nil, err
			}
			args = append(args, ev.Elem())
		}
		out := v.Call(args)
		if nOut > 0 {
			if err, _ := out[nOut-1].Interface().(error); err != nil {
				return nil, err
			}
		}
		if nOut == 2 {
			return json.Marshal(out[0].Interface())
		}
		return []byte("null"), nil
	}, nil
}

// errorBody is Lambda's error shape.
type errorBody struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// newErrorBody names the error's type as aws-lambda-go does.
func newErrorBody(v any) errorBody {
	msg := fmt.Sprint(v)
	if err, ok := v.(error); ok {
		msg = err.Error()
	}
	t := reflect.TypeOf(v)
	name := "nil"
	if t != nil {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		name = t.Name()
	}
	return errorBody{ErrorMessage: msg, ErrorType: name}
}

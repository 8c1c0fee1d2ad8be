package functions_test

import (
	"archive/zip"
	"errors"
	"io"

	"github.com/aws/smithy-go"
)

// zipOpen returns the bootstrap file of the package at path.
func zipOpen(path string) ([]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	f, err := zr.Open("bootstrap")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func asType[T error](err smithy.APIError, target *T) bool { return errors.As(err, target) }

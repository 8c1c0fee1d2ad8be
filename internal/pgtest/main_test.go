package pgtest_test

import (
	"os"
	"testing"

	"github.com/kinesin/kinesin/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

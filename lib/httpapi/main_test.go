package httpapi_test

import (
	"testing"

	"github.com/autolynx/autolynx/lib/apitest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

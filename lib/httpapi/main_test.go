package httpapi_test

import (
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

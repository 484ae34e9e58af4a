package outbox_test

import (
	"testing"

	"github.com/autolynx/autolynx/dev/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

package campaign_test

import (
	"testing"

	"github.com/autolynx/autolynx/lib/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

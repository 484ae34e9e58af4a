package campaign_test

import (
	"testing"

	"github.com/autolynx/autolynx/dev/campaigntest"
)

// fixture is campaigntest's database with an assistant, plus what only
// these tests add to it.
type fixture struct{ campaigntest.Fixture }

func setup(t testing.TB) fixture { return fixture{campaigntest.Setup(t)} }

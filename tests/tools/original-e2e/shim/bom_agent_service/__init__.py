"""Stand-in for the original service's package when its own e2e tests run
against bomd (tests/tools/original-e2e/run): the tests import it for the
app they talk to, which here forwards every request to a running bomd."""

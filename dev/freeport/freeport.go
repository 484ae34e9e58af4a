// Package freeport finds loopback ports for the servers that tests and the
// local runner start (Postgres, the Auth server, the runner itself).
//
// A port found by listening on port 0 and closing comes from the kernel's
// ephemeral range, the same range it hands to every outgoing connection:
// between closing and the server's own listen, a connection another test
// opens can take it. Ports below that range are only ever taken by
// someone asking for them by number.
package freeport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// lowest is where the search starts: clear of the well-known and
// registered ports that services on a developer's machine tend to use.
const lowest = 20000

// Find returns the first of n consecutive loopback ports that nothing
// listens on, all below the kernel's ephemeral range.
func Find(n int) (int, error) {
	span := ephemeralLow() - lowest - n
	for range 1000 {
		p := lowest + rand.IntN(span)
		if allFree(p, n) {
			return p, nil
		}
	}
	return 0, errors.New("find a free port: no free loopback ports below the ephemeral range")
}

func allFree(p, n int) bool {
	for i := range n {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+i))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// ephemeralLow is the first port of the kernel's ephemeral range.
func ephemeralLow() int {
	const linuxDefault = 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return linuxDefault
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return linuxDefault
	}
	low, err := strconv.Atoi(f[0])
	if err != nil || low < lowest+1000 {
		return linuxDefault
	}
	return low
}

package freeport

import (
	"fmt"
	"net"
	"testing"
)

// TestFindLeavesEveryPortFree: the ports Find returns are free, and none
// is in the range whose ports the kernel gives to other tests'
// connections (one such connection once took the Auth server's port).
func TestFindLeavesEveryPortFree(t *testing.T) {
	for range 20 {
		p, err := Find(2)
		if err != nil {
			t.Fatal(err)
		}
		if p < lowest || p+1 >= ephemeralLow() || !allFree(p, 2) {
			t.Fatalf("Find(2) = %d: want %d and %d free, in [%d, %d)", p, p, p+1, lowest, ephemeralLow())
		}
	}
}

// TestFindSkipsAPortInUse: a port someone listens on is never returned,
// nor is the port before it when two are asked for.
func TestFindSkipsAPortInUse(t *testing.T) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	taken := map[int]bool{}
	for p := lowest; p < lowest+200; p++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		held, taken[p] = append(held, l), true
	}
	for range 200 {
		p, err := Find(2)
		if err != nil {
			t.Fatal(err)
		}
		if taken[p] || taken[p+1] {
			t.Fatalf("Find(2) = %d, but %d or %d is in use", p, p, p+1)
		}
	}
}

package ssh

import (
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"
)

// keepalive sends keepalive@openssh.com requests on client every interval
// until stop is closed. When max requests in a row stay unanswered, or a
// request fails, it calls dead with the reason (once) and returns; the
// caller then closes the client, which ends every session on it. A dead
// peer is thus detected within about (max+1)*interval.
func keepalive(client ssh.Conn, interval time.Duration, max int, stop <-chan struct{}, dead func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	replies := make(chan error, 1)
	inflight, missed := false, 0
	for {
		select {
		case <-stop:
			return
		case err := <-replies:
			inflight = false
			if err != nil {
				dead(fmt.Errorf("keepalive: %w", err))
				return
			}
			missed = 0
		case <-t.C:
			if inflight {
				missed++
				if missed >= max {
					dead(fmt.Errorf("no answer to %d keepalives in %v", missed, time.Duration(missed+1)*interval))
					return
				}
				continue
			}
			inflight = true
			go func() {
				// Any answer, even "not supported", proves the peer alive.
				_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
				replies <- err
			}()
		}
	}
}

//go:build !windows

package svc

// EnsureRecovery is done by the systemd unit (Restart=on-failure) elsewhere.
func EnsureRecovery() error { return nil }

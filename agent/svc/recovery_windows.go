//go:build windows

package svc

import (
	"time"

	"golang.org/x/sys/windows/svc/mgr"
)

// EnsureRecovery sets the service to restart 5 s after a failure (three times, counters reset
// daily), whoever installed it: tiltas-agent install or the MSI, which cannot set it itself.
func EnsureRecovery() error {
	m, err := mgr.Connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := m.OpenService(Name)
	if err != nil {
		return err
	}
	defer s.Close()
	restart := mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: 5 * time.Second}
	return s.SetRecoveryActions([]mgr.RecoveryAction{restart, restart, restart}, 86400)
}

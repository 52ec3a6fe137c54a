//go:build !windows

package svc

// ProtectConfig is done by file modes elsewhere: the agent refuses a config every user can read.
func ProtectConfig(string) error { return nil }

//go:build windows

package svc

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ProtectConfig applies ProtectConfigArgs with icacls: on Windows, file modes do not keep
// other users out of the config; its ACL does.
func ProtectConfig(path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "icacls", ProtectConfigArgs(path)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("restrict access to %s with icacls: %v: %s (run as Administrator)", path, err, strings.TrimSpace(string(out)))
	}
	return nil
}

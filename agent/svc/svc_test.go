package svc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUnitInstallUninstall(t *testing.T) {
	dir := t.TempDir()
	// A systemctl that records what it was asked.
	logf := filepath.Join(dir, "systemctl.log")
	ctl := filepath.Join(dir, "systemctl")
	if err := os.WriteFile(ctl, []byte("#!/bin/sh\necho \"$@\" >> "+logf+"\necho active\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := Systemd{UnitDir: dir, Systemctl: ctl}
	u := Unit{Executable: "/usr/bin/tiltas-agent", Config: "/etc/tiltas/agent.toml", DataDir: "/var/lib/tiltas-agent", User: "tiltas"}
	msg, err := s.Install(u, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "enabled") {
		t.Fatalf("install said %q", msg)
	}
	b, err := os.ReadFile(filepath.Join(dir, "tiltas-agent.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{
		"ExecStart=/usr/bin/tiltas-agent run --config /etc/tiltas/agent.toml\n",
		"User=tiltas\n", "Restart=on-failure\n", "ReadWritePaths=/var/lib/tiltas-agent\n",
		"ProtectSystem=strict\n", "NoNewPrivileges=yes\n", "WantedBy=multi-user.target\n", "After=network-online.target",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	if _, err := s.Install(u, true); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second install: %v", err)
	}
	if st := s.State(true); st != "active" {
		t.Fatalf("state %q", st)
	}
	if _, err := s.Uninstall(true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tiltas-agent.service")); !os.IsNotExist(err) {
		t.Fatal("unit left behind")
	}
	calls, _ := os.ReadFile(logf)
	if got := strings.TrimSpace(string(calls)); got != "daemon-reload\nenable tiltas-agent\nis-active tiltas-agent\ndisable --now tiltas-agent\ndaemon-reload" {
		t.Fatalf("systemctl calls:\n%s", got)
	}
	if st := s.State(true); st != "not installed" {
		t.Fatalf("state after uninstall %q", st)
	}
	// Without systemd the unit is written but nothing is enabled.
	msg, err = s.Install(Unit{Executable: "/opt/t/tiltas-agent", Config: "/opt/t/agent.toml", DataDir: "/opt/t/data"}, false)
	if err != nil || !strings.Contains(msg, "not enabled") {
		t.Fatalf("%q %v", msg, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "tiltas-agent.service")); strings.Contains(string(b), "User=") {
		t.Fatal("a unit without a user must run as root (no User= line)")
	}
}

func TestUnitRefusesRelativeOrOddPaths(t *testing.T) {
	for _, u := range []Unit{
		{Executable: "tiltas-agent", Config: "/etc/a.toml", DataDir: "/var/lib/t"},
		{Executable: "/usr/bin/tiltas-agent", Config: "agent.toml", DataDir: "/var/lib/t"},
		{Executable: "/usr/bin/tiltas-agent", Config: "/etc/my agent.toml", DataDir: "/var/lib/t"},
	} {
		if _, err := u.Render(); err == nil {
			t.Errorf("rendered a unit with %+v", u)
		}
	}
	if _, err := Config("agent.toml"); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Fatalf("relative config accepted: %v", err)
	}
}

func TestProgramStopsInTime(t *testing.T) {
	stopped := make(chan struct{})
	p := &Program{Run: func(ctx context.Context) error {
		<-ctx.Done()
		close(stopped)
		return nil
	}}
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.Stop(nil); err != nil {
		t.Fatal(err)
	}
	<-stopped
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("stop took %s", el)
	}
}

// On Windows the config's ACL keeps other users out: inheritance (Users: read from Program
// Files) is removed, and only SYSTEM and Administrators, by SID (any Windows language), keep it.
func TestProtectConfigArgs(t *testing.T) {
	got := strings.Join(ProtectConfigArgs(`C:\Program Files\Tiltas\agent.toml`), " ")
	want := `C:\Program Files\Tiltas\agent.toml /inheritance:r /grant:r *S-1-5-18:(F) /grant:r *S-1-5-32-544:(F)`
	if got != want {
		t.Fatalf("icacls %s\nwant   %s", got, want)
	}
}

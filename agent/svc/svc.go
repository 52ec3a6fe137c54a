// Package svc runs the agent as a system service and installs it: kardianos/service for the
// service manager protocol (Windows SCM, and running under systemd), and on Linux a systemd
// unit the agent renders itself, so installation can be checked without systemd running.
package svc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"
	"time"

	"github.com/kardianos/service"
)

// Name is the service's name.
const Name = "tiltas-agent"

// Program adapts a run function to kardianos: Start must not block, Stop must end within 5 s.
type Program struct {
	Run func(ctx context.Context) error
	// Failed is called when Run ends by itself (not on Stop), so the process can exit non-zero
	// and the service manager restart it.
	Failed func(err error)
	cancel context.CancelFunc
	done   chan error
}

func (p *Program) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan error, 1)
	go func() {
		err := p.Run(ctx)
		if ctx.Err() == nil && p.Failed != nil {
			if err == nil {
				err = errors.New("agent stopped by itself")
			}
			p.Failed(err)
		}
		p.done <- err
	}()
	return nil
}

func (p *Program) Stop(service.Service) error {
	p.cancel()
	select {
	case err := <-p.done:
		return err
	case <-time.After(4500 * time.Millisecond):
		return errors.New("agent did not stop within 4.5 s; stopping anyway (the outbox is crash-safe)")
	}
}

// Config is what the service manager starts: this executable with run --config PATH.
func Config(configPath string) (*service.Config, error) {
	if !filepath.IsAbs(configPath) {
		return nil, fmt.Errorf("--config %q must be an absolute path: services do not start in your working directory (Windows starts them in System32)", configPath)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return &service.Config{
		Name:        Name,
		DisplayName: "Tiltas agent",
		Description: "Ships the shop's POS receipts and day closes to the Tiltas cloud.",
		Executable:  exe,
		Arguments:   []string{"run", "--config", configPath},
		Option: service.KeyValue{
			// Windows: restart on failure, 5 s later; forget failures after a day.
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "5s",
			"OnFailureResetPeriod":   86400,
			"DelayedAutoStart":       true,
		},
	}, nil
}

// Unit is what the Linux systemd unit says.
type Unit struct {
	Executable string
	Config     string
	DataDir    string
	User       string // empty: root
}

var unitTmpl = template.Must(template.New("unit").Parse(`# The Tiltas agent service: tiltas-agent install writes it, tiltas-agent unit prints it.
[Unit]
Description=Tiltas agent: ships POS receipts and day closes to the Tiltas cloud
Wants=network-online.target
After=network-online.target mariadb.service mysql.service

[Service]
Type=simple
ExecStart={{.Executable}} run --config {{.Config}}
{{- if .User}}
User={{.User}}
Group={{.User}}
{{- end}}
Restart=on-failure
RestartSec=5s
TimeoutStopSec=10s
# The agent opens no port and writes only its data directory.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ReadWritePaths={{.DataDir}}
UMask=0077

[Install]
WantedBy=multi-user.target
`))

// Render returns the unit file text.
func (u Unit) Render() (string, error) {
	for name, v := range map[string]string{"executable": u.Executable, "config": u.Config, "data dir": u.DataDir} {
		if !filepath.IsAbs(v) || strings.ContainsAny(v, " \n\"'") {
			return "", fmt.Errorf("%s %q must be an absolute path without spaces or quotes", name, v)
		}
	}
	var b bytes.Buffer
	err := unitTmpl.Execute(&b, u)
	return b.String(), err
}

// Systemd manages the Linux unit. UnitDir and Systemctl can be pointed elsewhere for tests.
type Systemd struct {
	UnitDir   string // default /etc/systemd/system
	Systemctl string // default systemctl
}

func (s Systemd) unitPath() string {
	dir := s.UnitDir
	if dir == "" {
		dir = "/etc/systemd/system"
	}
	return filepath.Join(dir, Name+".service")
}

// Running says whether systemd is the init system here.
func Running() bool {
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

func (s Systemd) ctl(args ...string) (string, error) {
	bin := s.Systemctl
	if bin == "" {
		bin = "systemctl"
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", bin, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// Install writes the unit and, when systemd runs here, enables it. It says what it did.
func (s Systemd) Install(u Unit, systemdRunning bool) (string, error) {
	text, err := u.Render()
	if err != nil {
		return "", err
	}
	path := s.unitPath()
	if _, err := os.Stat(path); err == nil {
		return "", fmt.Errorf("%s already exists: run tiltas-agent uninstall first", path)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w (install needs root)", path, err)
	}
	if !systemdRunning {
		return fmt.Sprintf("wrote %s; systemd is not running here, so it was not enabled", path), nil
	}
	if _, err := s.ctl("daemon-reload"); err != nil {
		return "", err
	}
	if _, err := s.ctl("enable", Name); err != nil {
		return "", err
	}
	return fmt.Sprintf("wrote %s and enabled it; start it with: tiltas-agent start", path), nil
}

// Uninstall stops and disables the service and removes the unit.
func (s Systemd) Uninstall(systemdRunning bool) (string, error) {
	path := s.unitPath()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s is not installed (no %s)", Name, path)
	}
	if systemdRunning {
		_, _ = s.ctl("disable", "--now", Name)
	}
	if err := os.Remove(path); err != nil {
		return "", fmt.Errorf("remove %s: %w", path, err)
	}
	if systemdRunning {
		_, _ = s.ctl("daemon-reload")
	}
	return "removed " + path, nil
}

// Control runs start, stop or restart.
func (s Systemd) Control(action string) error {
	_, err := s.ctl(action, Name)
	return err
}

// State is the service manager's word on the service.
func (s Systemd) State(systemdRunning bool) string {
	if _, err := os.Stat(s.unitPath()); err != nil {
		return "not installed"
	}
	if !systemdRunning {
		return "installed (systemd is not running here)"
	}
	out, _ := s.ctl("is-active", Name)
	return out
}

// IsLinux says whether the systemd path applies.
func IsLinux() bool { return runtime.GOOS == "linux" }

// KardianosState describes a kardianos status.
func KardianosState(st service.Status, err error) string {
	if errors.Is(err, service.ErrNotInstalled) {
		return "not installed"
	}
	if err != nil {
		return "unknown: " + err.Error()
	}
	switch st {
	case service.StatusRunning:
		return "running"
	case service.StatusStopped:
		return "stopped"
	}
	return "unknown"
}

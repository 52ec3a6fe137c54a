// Command tiltas-agent is the Tiltas edge agent: it reads closed receipts and day closes from
// the POS database and ships them to the Tiltas cloud. It runs as a system service.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // shops' zones on Windows, which has no zone database

	_ "github.com/go-sql-driver/mysql"
	"github.com/kardianos/service"
	"gopkg.in/natefinch/lumberjack.v2"

	"tiltas/agent"
	"tiltas/agent/config"
	"tiltas/agent/doctor"
	"tiltas/agent/profile"
	"tiltas/agent/svc"
)

const usage = `tiltas-agent: ships a shop's POS receipts to the Tiltas cloud

  tiltas-agent run       --config PATH [--log-level debug|info|warn|error]
  tiltas-agent install   --config ABSOLUTE_PATH [--user tiltas]   install the service (root/Administrator)
  tiltas-agent uninstall
  tiltas-agent start | stop | restart
  tiltas-agent status    --config PATH     service state, last upload, backlog, last POS read, errors
  tiltas-agent doctor    --config PATH     checks config, POS, privileges, cloud, token, disk, clock
  tiltas-agent unit      [--config /etc/tiltas/agent.toml] [--data-dir /var/lib/tiltas-agent] [--user tiltas] [--exe /usr/bin/tiltas-agent]
                         print the systemd unit (what install writes; packages ship it)
  tiltas-agent profile   show [NAME]       print a shipped POS profile (reference), to start a profile file from
  tiltas-agent profile   check FILE        check a POS profile file, naming each wrong key
  tiltas-agent profile   sample --config PATH [--receipts 5] [--day-closes 5] [--from YYYY-MM-DD] [--json]
                         print the first receipts and day closes as the agent would ship them (read-only)
  tiltas-agent version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	path := fs.String("config", "", "config file (TOML)")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	runAs := fs.String("user", defaultUser(), "Linux: the user the service runs as (empty: root)")
	dataDir := fs.String("data-dir", "/var/lib/tiltas-agent", "unit: the data directory")
	exe := fs.String("exe", "/usr/bin/tiltas-agent", "unit: the executable")
	_ = fs.Parse(args)
	abs := ""
	if *path != "" {
		abs, _ = filepath.Abs(*path)
	}
	var err error
	switch cmd {
	case "version":
		fmt.Println("tiltas-agent", agent.Version)
	case "unit":
		conf := *path
		if conf == "" {
			conf = "/etc/tiltas/agent.toml"
		}
		var text string
		if text, err = (svc.Unit{Executable: *exe, Config: conf, DataDir: *dataDir, User: *runAs}).Render(); err == nil {
			fmt.Print(text)
		}
	case "run":
		err = run(abs, *level)
	case "install":
		err = install(*path, *runAs)
	case "uninstall", "start", "stop", "restart":
		err = control(cmd)
	case "status":
		err = status(abs)
	case "doctor":
		need(abs)
		checks := doctor.Run(context.Background(), abs)
		for _, c := range checks {
			fmt.Println(c)
		}
		if doctor.Failed(checks) {
			os.Exit(1)
		}
	case "profile":
		err = profileCmd(fs.Args(), abs)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tiltas-agent:", err)
		os.Exit(1)
	}
}

func profileCmd(args []string, configPath string) error {
	switch {
	case len(args) >= 1 && args[0] == "sample":
		return sampleCmd(os.Stdout, args[1:], configPath)
	case len(args) >= 1 && args[0] == "show" && len(args) <= 2:
		name := profile.Default
		if len(args) == 2 {
			name = args[1]
		}
		text, err := profile.Text(name)
		if err != nil {
			return fmt.Errorf("profile %q is not shipped: use one of %s", name, strings.Join(profile.Shipped(), ", "))
		}
		_, err = os.Stdout.Write(text)
		return err
	case len(args) == 2 && args[0] == "check":
		path := args[1]
		if !strings.ContainsAny(path, `/\`) {
			path = "./" + path // a file, never a shipped name
		}
		p, err := profile.Load(path)
		if err != nil {
			return err
		}
		fmt.Printf("profile %s (%s) is well formed; run doctor with it named in pos.profile to try it on the POS database\n", p.Name, p.Source)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	os.Exit(2)
	return nil
}

func need(path string) {
	if path == "" {
		fmt.Fprintln(os.Stderr, "tiltas-agent: this command needs --config FILE")
		os.Exit(2)
	}
}

// defaultUser is tiltas when the package created that user, else root.
func defaultUser() string {
	if _, err := user.Lookup("tiltas"); err == nil {
		return "tiltas"
	}
	return ""
}

func run(path, level string) error {
	need(path)
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "logs"), 0o700); err != nil {
		return fmt.Errorf("create data_dir %s: %w", cfg.DataDir, err)
	}
	file := &lumberjack.Logger{Filename: filepath.Join(cfg.DataDir, "logs", "agent.log"), MaxSize: 20, MaxBackups: 5, MaxAge: 60, Compress: true}
	defer file.Close()
	opts := &slog.HandlerOptions{Level: lv}
	handlers := []slog.Handler{slog.NewTextHandler(file, opts), slog.NewTextHandler(os.Stderr, opts)} // stderr goes to journald

	sc, err := svc.Config(path)
	if err != nil {
		return err
	}
	prog := &svc.Program{}
	s, err := service.New(prog, sc)
	if err != nil {
		return err
	}
	if !service.Interactive() && service.Platform() == "windows-service" {
		if sl, err := s.SystemLogger(nil); err == nil {
			handlers = append(handlers, &eventLog{l: sl, lv: lv})
		}
	}
	log := slog.New(slog.NewMultiHandler(handlers...))
	if !service.Interactive() {
		if err := svc.EnsureRecovery(); err != nil {
			log.Warn("cannot set the service to restart on failure", "err", err)
		}
		// The MSI installs only a sample; the config an administrator copies from it would keep
		// Program Files' "Users: read". The service tightens it on every start.
		if err := svc.ProtectConfig(cfg.Path()); err != nil {
			log.Warn("cannot restrict access to the config", "err", err)
		}
	}
	prog.Run = func(ctx context.Context) error { return agent.Run(ctx, cfg, log) }
	prog.Failed = func(err error) {
		log.Error("agent failed; exiting so the service manager restarts it", "err", err)
		os.Exit(1)
	}
	return s.Run() // returns after SIGINT/SIGTERM or the service manager's stop
}

func install(path, runAs string) error {
	need(path)
	if !filepath.IsAbs(path) {
		return fmt.Errorf("--config %q must be an absolute path: services do not start in your working directory", path)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	if svc.IsLinux() {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		msg, err := svc.Systemd{}.Install(svc.Unit{Executable: exe, Config: path, DataDir: cfg.DataDir, User: runAs}, svc.Running())
		if err == nil {
			fmt.Println(msg)
		}
		return err
	}
	sc, err := svc.Config(path)
	if err != nil {
		return err
	}
	if err := svc.ProtectConfig(path); err != nil {
		return err
	}
	s, err := service.New(&svc.Program{}, sc)
	if err != nil {
		return err
	}
	if err := s.Install(); err != nil {
		return fmt.Errorf("install service: %w (run as Administrator)", err)
	}
	fmt.Println("installed service", svc.Name, "; start it with: tiltas-agent start")
	return nil
}

func control(action string) error {
	if svc.IsLinux() {
		sd := svc.Systemd{}
		if action == "uninstall" {
			msg, err := sd.Uninstall(svc.Running())
			if err == nil {
				fmt.Println(msg)
			}
			return err
		}
		if !svc.Running() {
			return fmt.Errorf("systemd is not running here: run the agent with tiltas-agent run --config PATH")
		}
		return sd.Control(action)
	}
	s, err := service.New(&svc.Program{}, &service.Config{Name: svc.Name})
	if err != nil {
		return err
	}
	return service.Control(s, action)
}

func status(path string) error {
	need(path)
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	state := ""
	if svc.IsLinux() {
		state = svc.Systemd{}.State(svc.Running())
	} else if s, err := service.New(&svc.Program{}, &service.Config{Name: svc.Name}); err == nil {
		state = svc.KardianosState(s.Status())
	}
	fmt.Printf("service:          %s\n", state)
	st, err := agent.ReadStatus(cfg.DataDir)
	if err != nil {
		fmt.Printf("captures:         %s\n", agent.StartDateText(string(cfg.POS.StartDate)))
		return err
	}
	if st.StartSource == "cloud" {
		fmt.Printf("captures:         %s\n", st.Start().Text())
	} else {
		fmt.Printf("captures:         %s\n", agent.StartDateText(string(cfg.POS.StartDate)))
	}
	age := time.Since(st.Updated)
	running := "running"
	if st.Stopped {
		running = fmt.Sprintf("stopped at %s", st.Updated.Local().Format(time.DateTime))
	} else if age > 10*time.Second {
		running = fmt.Sprintf("not running (last seen %s ago)", age.Round(time.Second))
	}
	if !st.Stopped && age <= 10*time.Second && st.StartSource != "cloud" && st.StartDate != string(cfg.POS.StartDate) {
		fmt.Printf("                  but the running agent captures %s: restart it to apply pos.start_date\n", agent.StartDateText(st.StartDate))
	}
	link := "connected"
	if !st.Connected {
		link = "not connected"
	}
	fmt.Printf("agent:            %s, pid %d, version %s, store %s\n", running, st.PID, st.Version, st.Store)
	fmt.Printf("cloud link:       %s\n", link)
	fmt.Printf("last upload:      %s\n", when(st.LastUpload))
	fmt.Printf("last POS read:    %s\n", when(st.LastPOSRead))
	fmt.Printf("outbox backlog:   %d items, file %s\n", st.Backlog, size(st.OutboxBytes))
	fmt.Printf("quarantined:      %d items (refused by the cloud; see the cloud's rejected list)\n", st.Quarantined)
	if st.CardsVersion > 0 || st.CardsFailed > 0 {
		fmt.Printf("product cards:    version %d, %d refused by the POS\n", st.CardsVersion, st.CardsFailed)
	}
	errs := []string{}
	if st.LastPOSError != "" {
		errs = append(errs, "POS: "+st.LastPOSError)
	}
	if st.LastLinkError != "" {
		errs = append(errs, "cloud: "+st.LastLinkError)
	}
	if len(errs) == 0 {
		errs = append(errs, "none")
	}
	fmt.Printf("last error:       %s\n", strings.Join(errs, "\n                  "))
	return nil
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return fmt.Sprintf("%s (%s ago)", t.Local().Format(time.DateTime), time.Since(t).Round(time.Second))
}

func size(b int64) string {
	if b >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

// eventLog sends warnings and errors to the Windows Event Log through the service logger.
type eventLog struct {
	l     service.Logger
	lv    slog.Level
	attrs []slog.Attr
}

func (e *eventLog) Enabled(_ context.Context, l slog.Level) bool {
	return l >= max(e.lv, slog.LevelInfo)
}
func (e *eventLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &eventLog{l: e.l, lv: e.lv, attrs: append(append([]slog.Attr{}, e.attrs...), as...)}
}
func (e *eventLog) WithGroup(string) slog.Handler { return e }
func (e *eventLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range e.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	switch {
	case r.Level >= slog.LevelError:
		return e.l.Error(b.String())
	case r.Level >= slog.LevelWarn:
		return e.l.Warning(b.String())
	}
	return e.l.Info(b.String())
}
